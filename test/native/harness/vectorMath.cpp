// Test harness for native/ReerVectorMath.cpp, compiled by test/native/vectorMath.test.ts.
//   vectorMath exp <kind> <stride>   every stride-th float in [-110, 0] and special values:
//                                    reerExpSum's terms against the C library's expf
//   vectorMath float <kind> <stride> the same floats: reerExpSumFloat's terms, largest error in ulp
//                                    against the C library's expf (0 below -87)
//   vectorMath rows <kind> <file>    rows of floats (int32 count, then int32 n and n floats per
//                                    row): max, sum of terms, and the buckets below the max
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "ReerVectorMath.h"

// Every stride-th float from -0 down to -110.
static std::vector<float> negativeFloats(uint32_t stride) {
    const float lowest = -110.0f;
    uint32_t lowestBits;
    std::memcpy(&lowestBits, &lowest, sizeof lowestBits);
    std::vector<float> x;
    for (uint64_t bits = 0x80000000u; bits <= lowestBits; bits += stride) {
        const uint32_t b = static_cast<uint32_t>(bits);
        float value;
        std::memcpy(&value, &b, sizeof value);
        x.push_back(value);
    }
    return x;
}

static int checkExp(uint32_t stride) {
    std::vector<float> x = negativeFloats(stride);
    const float special[] = { 0.0f, -0.0f, -std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::denorm_min(),
        -103.97208f, -103.27893f, -87.33655f, -88.72284f, -1e-30f, -std::numeric_limits<float>::max() };
    for (float value : special) x.push_back(value);
    std::vector<float> terms(x.size());
    reerExpSum(x.data(), static_cast<int32_t>(x.size()), 0.0f, terms.data());
    uint64_t differing = 0;
    for (size_t i = 0; i < x.size(); i++) {
        const float expected = std::exp(x[i]);
        if (terms[i] == expected) continue;
        if (differing++ == 0) std::printf("first %.9g: %.9g instead of %.9g\n", x[i], terms[i], expected);
    }
    const float nan = std::numeric_limits<float>::quiet_NaN();
    float nanTerm = 0.0f;
    const double nanSum = reerExpSum(&nan, 1, 0.0f, &nanTerm);
    std::printf("checked %zu differing %llu nan %d\n", x.size(), static_cast<unsigned long long>(differing), std::isnan(nanTerm) && std::isnan(nanSum) ? 1 : 0);
    return 0;
}

static int checkExpFloat(uint32_t stride) {
    std::vector<float> x = negativeFloats(stride);
    x.push_back(-std::numeric_limits<float>::infinity());
    std::vector<float> terms(x.size());
    reerExpSumFloat(x.data(), static_cast<int32_t>(x.size()), 0.0f, terms.data());
    int64_t worst = 0;
    uint64_t wrongBelow = 0;
    for (size_t i = 0; i < x.size(); i++) {
        if (!(x[i] > -87.0f)) {
            if (terms[i] != 0.0f) wrongBelow++;
            continue;
        }
        const float expected = std::exp(x[i]);
        int32_t a, b;
        std::memcpy(&a, &terms[i], sizeof a);
        std::memcpy(&b, &expected, sizeof b);
        const int64_t ulps = a > b ? static_cast<int64_t>(a) - b : static_cast<int64_t>(b) - a;
        if (ulps > worst) worst = ulps;
    }
    std::printf("checked %zu worst %lld below %llu\n", x.size(), static_cast<long long>(worst), static_cast<unsigned long long>(wrongBelow));
    return 0;
}

static int rows(const char* file) {
    FILE* in = std::fopen(file, "rb");
    if (in == nullptr) return 3;
    int32_t count = 0;
    if (std::fread(&count, sizeof count, 1, in) != 1) return 3;
    for (int32_t row = 0; row < count; row++) {
        int32_t n = 0;
        if (std::fread(&n, sizeof n, 1, in) != 1) return 3;
        std::vector<float> x(static_cast<size_t>(n));
        if (std::fread(x.data(), sizeof(float), x.size(), in) != x.size()) return 3;
        const float max = reerMaxOf(x.data(), n);
        const double sum = std::isfinite(max) ? reerExpSum(x.data(), n, max, nullptr) : 0.0;
        std::vector<uint16_t> buckets(static_cast<size_t>(n));
        if (std::isfinite(max)) reerBucketsBelow(x.data(), n, max, 128.0f, 8191, buckets.data());
        std::printf("%.9g %.17g", max, sum);
        for (uint16_t bucket : buckets) std::printf(" %u", bucket);
        std::printf("\n");
    }
    std::fclose(in);
    return 0;
}

int main(int argc, char** argv) {
    if (argc < 4) return 2;
    if (!reerVectorMathUse(argv[2])) {
        std::printf("unsupported\n");
        return 0;
    }
    std::printf("kind %s\n", reerVectorMathKind());
    if (std::strcmp(argv[1], "exp") == 0) return checkExp(static_cast<uint32_t>(std::atoi(argv[3])));
    if (std::strcmp(argv[1], "float") == 0) return checkExpFloat(static_cast<uint32_t>(std::atoi(argv[3])));
    if (std::strcmp(argv[1], "rows") == 0) return rows(argv[3]);
    return 2;
}
