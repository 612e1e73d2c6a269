// reer: exact teacher-forced log-probabilities computed inside the addon.
//
// Stock node-llama-cpp can only return a whole sorted probability map per
// position (tens of milliseconds at a 150k vocabulary). Scoring needs one number
// per position: log p(target) = logit[target] - logsumexp(logits). This file adds
// `reerTokenLogprobs(context, batchLogitIndexes, targetTokens)` to the addon's
// exports. It must be called synchronously right after a decode, before the next
// batch overwrites the logits. Two forms:
// - as many batch logit indexes as targets: one log-probability per index;
// - one index and n targets (a run): the positions from that index on that hold the next
//   outputs of the same sequence in the decoded batch, at most n; the result says how many
//   (the rest of the targets belong to later batches). The positions are shared among the
//   context's threads, which are idle between decodes, and one call serves a whole batch.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

#include "llama.h"
#include "napi.h"
#include "AddonModel.h"
#include "AddonContext.h"
#include "ReerVectorMath.h"

// Version of this addition.
static constexpr int32_t reerTokenLogprobsVersion = 2;

// Below this many positions per thread, starting a thread costs more than it saves.
static constexpr size_t reerPositionsPerThread = 4;

// log sum exp(logits), from the largest logit and a double sum of float expf terms: the
// passes are vectorised (ReerVectorMath.cpp) and give the terms the scalar expf loop gave.
static double reerLogSumExp(const float* logits, int32_t n) {
    const float maxLogit = reerMaxOf(logits, n);
    if (!std::isfinite(maxLogit)) {
        return maxLogit;
    }
    return (double)maxLogit + std::log(reerExpSum(logits, n, maxLogit, nullptr));
}

// out[k] = log p(targets[k]) for each row; rows shared among up to `threads` threads.
static void reerLogprobsOfRows(const std::vector<const float*>& rows, const uint32_t* targets, int32_t nVocab, int32_t threads, double* out) {
    const size_t count = rows.size();
    const size_t workers = std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), count / reerPositionsPerThread));
    auto work = [&](size_t worker) {
        for (size_t k = worker * count / workers; k < (worker + 1) * count / workers; k++) {
            out[k] = (double)rows[k][targets[k]] - reerLogSumExp(rows[k], nVocab);
        }
    };
    std::vector<std::thread> helpers;
    for (size_t worker = 1; worker < workers; worker++) helpers.emplace_back(work, worker);
    work(0);
    for (std::thread& helper : helpers) helper.join();
}

// The batch logit indexes of a run from `first`: the next outputs of first's sequence at
// consecutive positions, at most `limit` of them.
static std::vector<int32_t> reerRunIndexes(const AddonContext* context, int32_t first, size_t limit) {
    std::vector<int32_t> indexes;
    const llama_batch& batch = context->batch;
    if (!context->has_batch || first < 0 || first >= batch.n_tokens || batch.n_seq_id[first] < 1) return indexes;
    const llama_seq_id sequence = batch.seq_id[first][0];
    for (int32_t i = first; i < batch.n_tokens && indexes.size() < limit; i++) {
        if (batch.logits[i] == 0 || batch.n_seq_id[i] < 1 || batch.seq_id[i][0] != sequence ||
            batch.pos[i] != batch.pos[first] + static_cast<llama_pos>(i - first)) break;
        indexes.push_back(i);
    }
    return indexes;
}

static Napi::Value reerTokenLogprobs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsTypedArray() || !info[2].IsTypedArray()) {
        Napi::TypeError::New(env, "reerTokenLogprobs(context, Int32Array batchLogitIndexes, Uint32Array targetTokens)")
            .ThrowAsJavaScriptException();
        return env.Undefined();
    }

    AddonContext* context = Napi::ObjectWrap<AddonContext>::Unwrap(info[0].As<Napi::Object>());
    if (context == nullptr || context->disposed || context->ctx == nullptr) {
        Napi::Error::New(env, "Context is disposed").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    Napi::Int32Array batchLogitIndexes = info[1].As<Napi::Int32Array>();
    Napi::Uint32Array targetTokens = info[2].As<Napi::Uint32Array>();
    const size_t targetCount = targetTokens.ElementLength();
    std::vector<int32_t> indexes;
    if (batchLogitIndexes.ElementLength() == 1 && targetCount > 1) {
        indexes = reerRunIndexes(context, batchLogitIndexes[0], targetCount);
        if (indexes.empty()) {
            Napi::Error::New(env, "No logits at this batch index").ThrowAsJavaScriptException();
            return env.Undefined();
        }
    } else if (batchLogitIndexes.ElementLength() == targetCount) {
        indexes.assign(batchLogitIndexes.Data(), batchLogitIndexes.Data() + targetCount);
    } else {
        Napi::RangeError::New(env, "batchLogitIndexes and targetTokens differ in length").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    const int32_t nVocab = llama_vocab_n_tokens(context->model->vocab);
    // The rows are looked up here, on one thread: llama_get_logits_ith may reorder its outputs.
    std::vector<const float*> rows;
    rows.reserve(indexes.size());
    for (size_t k = 0; k < indexes.size(); k++) {
        if (targetTokens[k] >= static_cast<uint32_t>(nVocab)) {
            Napi::RangeError::New(env, "Target token is outside the vocabulary").ThrowAsJavaScriptException();
            return env.Undefined();
        }
        const float* logits = llama_get_logits_ith(context->ctx, indexes[k]);
        if (logits == nullptr) {
            Napi::Error::New(env, "No logits at this batch index").ThrowAsJavaScriptException();
            return env.Undefined();
        }
        rows.push_back(logits);
    }
    Napi::Float64Array result = Napi::Float64Array::New(env, rows.size());
    reerLogprobsOfRows(rows, targetTokens.Data(), nVocab, llama_n_threads(context->ctx), result.Data());
    return result;
}

void reerRegisterTokenLogprobs(Napi::Object exports) {
    exports.Set("reerTokenLogprobs", Napi::Function::New(exports.Env(), reerTokenLogprobs, "reerTokenLogprobs"));
    exports.Set("reerTokenLogprobsVersion", Napi::Number::New(exports.Env(), reerTokenLogprobsVersion));
}
