// reer: top-p (nucleus) sampling that finds the nucleus without sorting the vocabulary.
//
// llama.cpp's top-p sorts the 256 most likely tokens and, when they hold less than p of
// the probability, sorts all of them. On a flat distribution (a random-weight model, or a
// trained one unsure of the next token) the nucleus is most of the vocabulary, and that
// sort took a third of each decoding step at a 150k vocabulary. This one makes a few
// passes over the vocabulary instead:
//   1. the largest logit and the terms exp(logit - max), vectorised (ReerVectorMath.cpp);
//   2. the tokens whose term is at least kHeadTerm: when they hold p of the mass (a peaked
//      distribution) the nucleus is among them, and only they are sorted;
//   3. otherwise the mass per bucket of logits (1/128 of a logit wide, counted down from the
//      max): the nucleus is every bucket above the one where the running mass reaches
//      p * sum, plus the head of that bucket, the only one sorted.
// The kept tokens come first in cur_p, sorted as llama.cpp sorts them when there are at
// most kSortedLimit of them (so a fixed seed draws what llama.cpp's top-p let it draw),
// else in vocabulary order with the last bucket's head after them: the same distribution,
// walked in another order by the draw. Masses are summed in double; llama.cpp sums the
// whole vocabulary in float, in order, which drops the smallest terms (2e-4 of the mass at
// Gemma 3's 262k tokens), so its nucleus can end one token earlier.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "llama.h"
#include "ReerVectorMath.h"

namespace {

constexpr int32_t kBucketsPerLogit = 128;
constexpr int32_t kBuckets = 64 * kBucketsPerLogit;
// Up to this many kept tokens are sorted as llama.cpp sorts them, so a fixed seed draws what
// it drew; sorting a nucleus of most of the vocabulary was the cost this file removes.
constexpr size_t kSortedLimit = 4096;
// Tokens whose term is at least this (relative to the most likely token's, 1) are the
// candidates of the first pass: when they hold p of the mass, the nucleus is among them.
constexpr float kHeadTerm = 1.0f / 16384.0f;

// A token and its term.
struct Candidate {
    llama_token_data token;
    float term;
};

struct TopP {
    float p;
    size_t minKeep;
    // Scratch, kept between calls: the logits in a row, their terms and buckets, the mass per
    // bucket, candidate tokens.
    std::vector<float> logits;
    std::vector<float> terms;
    std::vector<uint16_t> buckets;
    std::vector<double> mass;
    std::vector<Candidate> candidates;
};

// llama.cpp's order (larger logit first), with ties broken by token id.
inline bool before(const llama_token_data& a, const llama_token_data& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}

inline bool candidateBefore(const Candidate& a, const Candidate& b) {
    return before(a.token, b.token);
}

// The terms exp(logit - max) of data[0..n) into ctx.terms (the logits into ctx.logits); their sum.
double computeTerms(TopP& ctx, const llama_token_data* data, size_t n, float* max) {
    ctx.logits.resize(n);
    ctx.terms.resize(n);
    float* logits = ctx.logits.data();
    for (size_t i = 0; i < n; i++) logits[i] = data[i].logit;
    *max = reerMaxOf(logits, static_cast<int32_t>(n));
    return reerExpSumFloat(logits, static_cast<int32_t>(n), *max, ctx.terms.data());
}

// Keeps the sorted candidates up to the one where the running mass (from `running`) reaches
// target and at least minKeep are kept, writing them to data[from..]; returns the new size.
size_t keepHead(const std::vector<Candidate>& sorted, llama_token_data* data, size_t from, double running, double target, size_t minKeep, double sum) {
    size_t kept = from;
    for (const Candidate& candidate : sorted) {
        data[kept] = candidate.token;
        data[kept].p = static_cast<float>(candidate.term / sum);
        kept++;
        running += candidate.term;
        if (running >= target && kept >= minKeep) break;
    }
    return kept;
}

void apply(llama_sampler* smpl, llama_token_data_array* cur_p) {
    auto* ctx = static_cast<TopP*>(smpl->ctx);
    const size_t n = cur_p->size;
    if (ctx->p >= 1.0f || n <= 1) return;
    llama_token_data* data = cur_p->data;
    float max = 0.0f;
    const double sum = computeTerms(*ctx, data, n, &max);
    const double target = static_cast<double>(ctx->p) * sum;
    const float* terms = ctx->terms.data();
    std::vector<Candidate>& candidates = ctx->candidates;
    candidates.clear();

    if (cur_p->sorted || ctx->minKeep > 1) {
        // Sorted already (by a top-k before), or a minimum count to keep: sort all and walk,
        // as llama.cpp does.
        for (size_t i = 0; i < n; i++) candidates.push_back({ data[i], terms[i] });
        if (!cur_p->sorted) std::sort(candidates.begin(), candidates.end(), candidateBefore);
        cur_p->size = keepHead(candidates, data, 0, 0.0, target, ctx->minKeep, sum);
        cur_p->sorted = true;
        return;
    }

    // First pass, for a peaked distribution: the few tokens near the top, if they hold p.
    double head = 0.0;
    for (size_t i = 0; i < n && candidates.size() <= kSortedLimit; i++) {
        if (terms[i] < kHeadTerm) continue;
        candidates.push_back({ data[i], terms[i] });
        head += terms[i];
    }
    if (candidates.size() <= kSortedLimit && head >= target) {
        std::sort(candidates.begin(), candidates.end(), candidateBefore);
        cur_p->size = keepHead(candidates, data, 0, 0.0, target, 1, sum);
        cur_p->sorted = true;
        return;
    }

    // Otherwise by buckets of logits.
    ctx->buckets.resize(n);
    uint16_t* buckets = ctx->buckets.data();
    reerBucketsBelow(ctx->logits.data(), static_cast<int32_t>(n), max, kBucketsPerLogit, kBuckets - 1, buckets);
    ctx->mass.assign(kBuckets, 0.0);
    double* mass = ctx->mass.data();
    for (size_t i = 0; i < n; i++) mass[buckets[i]] += terms[i];
    double running = 0.0;
    uint16_t last = 0;
    for (; last < kBuckets - 1 && running + mass[last] < target; last++) running += mass[last];

    // In place: each slot is written only after its token was read.
    candidates.clear();
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (buckets[i] > last) continue;
        if (buckets[i] == last) {
            candidates.push_back({ data[i], terms[i] });
            continue;
        }
        data[kept] = data[i];
        data[kept].p = static_cast<float>(terms[i] / sum);
        kept++;
    }
    std::sort(candidates.begin(), candidates.end(), candidateBefore);
    kept = keepHead(candidates, data, kept, running, target, 1, sum);
    cur_p->size = kept;
    cur_p->sorted = kept <= kSortedLimit;
    if (cur_p->sorted) std::sort(data, data + kept, before);
}

const char* name(const llama_sampler*) {
    return "top-p";
}

llama_sampler* clone(const llama_sampler* smpl);

void freeTopP(llama_sampler* smpl) {
    delete static_cast<TopP*>(smpl->ctx);
}

llama_sampler_i topPInterface = {
    /* .name              = */ name,
    /* .accept            = */ nullptr,
    /* .apply             = */ apply,
    /* .reset             = */ nullptr,
    /* .clone             = */ clone,
    /* .free              = */ freeTopP,
    /* .backend_init      = */ nullptr,
    /* .backend_accept    = */ nullptr,
    /* .backend_apply     = */ nullptr,
    /* .backend_set_input = */ nullptr,
    /* .backend_reset     = */ nullptr,
    /* .copy_state        = */ nullptr,
};

llama_sampler* clone(const llama_sampler* smpl) {
    const auto* ctx = static_cast<const TopP*>(smpl->ctx);
    return llama_sampler_init(&topPInterface, new TopP{ ctx->p, ctx->minKeep, {}, {}, {}, {}, {} });
}

} // namespace

// Replaces llama_sampler_init_top_p in node-llama-cpp's sampler (sampler-top-p.patch).
llama_sampler* reerSamplerInitTopP(float p, size_t minKeep) {
    return llama_sampler_init(&topPInterface, new TopP{ p, minKeep, {}, {}, {}, {}, {} });
}
