// reer: vectorised passes over a row of logits (see ReerVectorMath.h).
//
// node-llama-cpp compiles its addon for the baseline instruction set of the platform (SSE2
// on x86-64), so on x86 each pass is compiled three times, for AVX-512, AVX2 and the
// baseline, and the best one the CPU supports is chosen once at run time. The bodies are
// plain loops over fixed-width blocks of lanes, which the compiler turns into vector code
// for each of those targets; elsewhere (ARM) they are compiled once, for the baseline.
//
// exp for scoring: glibc's expf is within 0.502 ulp but not always correctly rounded (about
// one float in 1600 of [-110, 0] goes to the other neighbour). Each term here is computed in
// double precision to about 1e-16 relative and rounded to float, and the few that lie within
// 2^-32 of a halfway point are taken from expf itself (fixRoundings), so every term is the
// float glibc's expf gives: checked over every float of [-110, 0], the whole range that can
// occur (test/native/vectorMath.test.ts samples it). The scores are then the ones the scalar
// expf loop gave, whatever the order of the additions (a double sum of floats moves ~1e-16).
#include "ReerVectorMath.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

// GCC keeps a branch for every floating-point comparison unless told that they do not trap
// (clang assumes so by default); the branches would stop the loops from vectorising.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#if defined(__GNUC__) || defined(__clang__)
#define REER_INLINE inline __attribute__((always_inline))
#else
#define REER_INLINE inline
#endif

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define REER_X86_DISPATCH 1
#define REER_TARGET_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma,prefer-vector-width=512")))
#define REER_TARGET_AVX2 __attribute__((target("avx2,fma")))
#endif

namespace {

// Independent accumulators: enough to fill two AVX-512 registers of doubles, so the loop
// vectorises without reassociating any sum.
constexpr int32_t kLanes = 16;

// The constants of exp in one precision. x + shifter (1.5 * 2^mantissa) rounds x to an
// integer held in the low bits of the mantissa; ln 2 is split so that n * ln2Hi is exact.
template <typename Real> struct ExpConstants;
template <> struct ExpConstants<double> {
    using Bits = uint64_t;
    // expf rounds everything below -103.98 to 0 (its smallest subnormal is 2^-149); clamping
    // there keeps 2^n within double's normal range.
    static constexpr double lowest = -110.0;
    static constexpr double log2e = 1.4426950408889634074;
    static constexpr double shifter = 6755399441055744.0;
    static constexpr double ln2Hi = 6.93147180369123816490e-01; // exact product for |n| < 2^21
    static constexpr double ln2Lo = 1.90821492927058770002e-10;
    static constexpr int mantissa = 52;
    static constexpr Bits one = 0x3ff0000000000000ull;
    // The remainder after r^12 is below 2e-16 relative.
    static constexpr int degree = 12;
};
template <> struct ExpConstants<float> {
    using Bits = uint32_t;
    // A term under 2^-125 of the largest: left out of the sampler's sums.
    static constexpr float lowest = -87.0f;
    static constexpr float log2e = 1.44269504f;
    static constexpr float shifter = 12582912.0f;
    static constexpr float ln2Hi = 0.693145751953125f; // exact product for |n| < 2^8
    static constexpr float ln2Lo = 1.42860677e-6f;
    static constexpr int mantissa = 23;
    static constexpr Bits one = 0x3f800000u;
    // The remainder after r^7 is below 1e-8 relative.
    static constexpr int degree = 7;
};

constexpr double inverseFactorial(int k) {
    double factorial = 1.0;
    for (int i = 2; i <= k; i++) factorial *= i;
    return 1.0 / factorial;
}

// exp(d) for d in [lowest, 0] or NaN: d = n ln2 + r with |r| <= ln2 / 2, exp(r) by its
// Taylor series, times 2^n put into the exponent bits.
template <typename Real>
REER_INLINE Real expReduced(Real d) {
    using C = ExpConstants<Real>;
    d = d < C::lowest ? C::lowest : d;
    const Real t = d * C::log2e + C::shifter;
    const Real n = t - C::shifter;
    const Real r = (d - n * C::ln2Hi) - n * C::ln2Lo;
    Real p = static_cast<Real>(inverseFactorial(C::degree));
    // Unrolled, so the coefficients are constants and the caller's loop vectorises.
#pragma GCC unroll 16
    for (int k = C::degree - 1; k >= 0; k--) p = p * r + static_cast<Real>(inverseFactorial(k));
    typename C::Bits bits;
    std::memcpy(&bits, &t, sizeof bits);
    bits = (bits << C::mantissa) + C::one;
    Real scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

REER_INLINE double expDouble(double d) {
    return expReduced(d);
}

// A double sum of float terms in independent lanes, which vectorises without reassociating.
REER_INLINE double sumInLanes(const float* __restrict terms, int32_t n) {
    double lane[kLanes];
    for (int32_t j = 0; j < kLanes; j++) lane[j] = 0.0;
    int32_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int32_t j = 0; j < kLanes; j++) lane[j] += terms[i + j];
    double sum = 0.0;
    for (; i < n; i++) sum += terms[i];
    for (int32_t j = 0; j < kLanes; j++) sum += lane[j];
    return sum;
}

// The sampler's exp, in float: within 2 ulp of exp; 0 below -87 (and for NaN).
REER_INLINE float expFloat(float d) {
    return d > ExpConstants<float>::lowest ? expReduced(d) : 0.0f;
}

REER_INLINE double expSumFloatBody(const float* __restrict x, int32_t n, float shift, float* __restrict terms) {
    for (int32_t i = 0; i < n; i++) terms[i] = expFloat(x[i] - shift);
    return sumInLanes(terms, n);
}

REER_INLINE float maxBody(const float* x, int32_t n) {
    float lane[kLanes];
    for (int32_t j = 0; j < kLanes; j++) lane[j] = -std::numeric_limits<float>::infinity();
    int32_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int32_t j = 0; j < kLanes; j++) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
    float best = -std::numeric_limits<float>::infinity();
    for (; i < n; i++) best = x[i] > best ? x[i] : best;
    for (int32_t j = 0; j < kLanes; j++) best = lane[j] > best ? lane[j] : best;
    return best;
}

// Near a point halfway between two floats, a correctly rounded exp and glibc's expf (error
// within 0.502 ulp) may round differently: terms this close to one, relatively, are taken
// from the C library's expf instead. About one term in 200 is; 2^-32 is between 1/512 and
// 1/256 of a float ulp.
constexpr double kNearHalf = 1.0 / 4294967296.0;

REER_INLINE bool nearHalf(double e) {
    return static_cast<float>(e * (1.0 + kNearHalf)) != static_cast<float>(e * (1.0 - kNearHalf));
}

// Every term as computed here, and a non-zero flag for each one near a halfway point, for
// fixRoundings.
REER_INLINE void expTerms(const float* __restrict x, int32_t n, float shift, float* __restrict terms, unsigned char* __restrict flags) {
    for (int32_t i = 0; i < n; i++) {
        const double exact = expDouble(static_cast<double>(x[i] - shift));
        terms[i] = static_cast<float>(exact);
        flags[i] = nearHalf(exact) ? 1 : 0;
    }
}

// The flagged terms, from the C library's expf (the scalar loop's own). Flags are read eight
// at a time: about one in 200 is set.
REER_INLINE void fixRoundings(const float* x, int32_t n, float shift, float* terms, const unsigned char* flags) {
    int32_t from = 0;
    for (; from + 8 <= n; from += 8) {
        uint64_t word = 0;
        std::memcpy(&word, flags + from, sizeof word);
        if (word == 0) continue;
        for (int32_t i = from; i < from + 8; i++)
            if (flags[i] != 0) terms[i] = std::exp(x[i] - shift);
    }
    for (int32_t i = from; i < n; i++)
        if (flags[i] != 0) terms[i] = std::exp(x[i] - shift);
}

// The terms go to out, or to scratch when the caller wants only the sum.
REER_INLINE double expSumBody(const float* x, int32_t n, float shift, float* terms, unsigned char* flags) {
    expTerms(x, n, shift, terms, flags);
    fixRoundings(x, n, shift, terms, flags);
    return sumInLanes(terms, n);
}

REER_INLINE void bucketsBody(const float* __restrict x, int32_t n, float top, float perUnit, uint16_t last, uint16_t* __restrict bucket) {
    const float cap = static_cast<float>(last);
    for (int32_t i = 0; i < n; i++) {
        const float scaled = (top - x[i]) * perUnit;
        bucket[i] = static_cast<uint16_t>(scaled < cap ? scaled : cap);
    }
}

struct Kernels {
    float (*maxOf)(const float*, int32_t);
    double (*expSum)(const float*, int32_t, float, float*, unsigned char*);
    double (*expSumFloat)(const float*, int32_t, float, float*);
    void (*buckets)(const float*, int32_t, float, float, uint16_t, uint16_t*);
    const char* kind;
};

// Each kernel once per target; the bodies are the same, compiled for each instruction set.
#define REER_KERNELS(suffix, target)                                                                     \
    target float maxOf##suffix(const float* x, int32_t n) { return maxBody(x, n); }                      \
    target double expSum##suffix(const float* x, int32_t n, float shift, float* out, unsigned char* flags) { \
        return expSumBody(x, n, shift, out, flags);                                                      \
    }                                                                                                    \
    target double expSumFloat##suffix(const float* x, int32_t n, float shift, float* out) {              \
        return expSumFloatBody(x, n, shift, out);                                                        \
    }                                                                                                    \
    target void buckets##suffix(const float* x, int32_t n, float top, float perUnit, uint16_t last, uint16_t* bucket) { \
        bucketsBody(x, n, top, perUnit, last, bucket);                                                   \
    }

REER_KERNELS(Generic, )
#ifdef REER_X86_DISPATCH
REER_KERNELS(Avx512, REER_TARGET_AVX512)
REER_KERNELS(Avx2, REER_TARGET_AVX2)
#endif

// The kernels this CPU can run, best first.
std::vector<Kernels> supportedKernels() {
    std::vector<Kernels> supported;
#ifdef REER_X86_DISPATCH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
        supported.push_back({ maxOfAvx512, expSumAvx512, expSumFloatAvx512, bucketsAvx512, "avx512" });
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        supported.push_back({ maxOfAvx2, expSumAvx2, expSumFloatAvx2, bucketsAvx2, "avx2" });
#endif
    supported.push_back({ maxOfGeneric, expSumGeneric, expSumFloatGeneric, bucketsGeneric, "generic" });
    return supported;
}

Kernels& kernels() {
    static Kernels chosen = supportedKernels().front();
    return chosen;
}

} // namespace

float reerMaxOf(const float* x, int32_t n) {
    return kernels().maxOf(x, n);
}

double reerExpSum(const float* x, int32_t n, float shift, float* out) {
    // A flag per term, and the terms when the caller does not keep them; per thread (the
    // addon's workers run in parallel).
    thread_local std::vector<unsigned char> flags;
    thread_local std::vector<float> terms;
    if (flags.size() < static_cast<size_t>(n)) flags.resize(static_cast<size_t>(n));
    if (out == nullptr && terms.size() < static_cast<size_t>(n)) terms.resize(static_cast<size_t>(n));
    return kernels().expSum(x, n, shift, out != nullptr ? out : terms.data(), flags.data());
}

double reerExpSumFloat(const float* x, int32_t n, float shift, float* out) {
    return kernels().expSumFloat(x, n, shift, out);
}

void reerBucketsBelow(const float* x, int32_t n, float top, float perUnit, uint16_t last, uint16_t* bucket) {
    kernels().buckets(x, n, top, perUnit, last, bucket);
}

const char* reerVectorMathKind() {
    return kernels().kind;
}

bool reerVectorMathUse(const char* kind) {
    for (const Kernels& candidate : supportedKernels()) {
        if (std::strcmp(candidate.kind, kind) != 0) continue;
        kernels() = candidate;
        return true;
    }
    return false;
}
