// reer: exact teacher-forced log-probabilities computed inside the addon.
//
// Stock node-llama-cpp can only return a whole sorted probability map per
// position (tens of milliseconds at a 150k vocabulary). Scoring needs one number
// per position: log p(target) = logit[target] - logsumexp(logits). This file adds
// `reerTokenLogprobs(context, batchLogitIndexes, targetTokens)` to the addon's
// exports. It must be called synchronously right after a decode, before the next
// batch overwrites the logits.
#include <cmath>
#include <cstdint>
#include <limits>

#include "llama.h"
#include "napi.h"
#include "AddonModel.h"
#include "AddonContext.h"

// Version of this addition; the JS side refuses a build whose version it does not know.
static constexpr int32_t reerTokenLogprobsVersion = 1;

// Kept apart so the compiler may vectorise the max and exp-sum loops:
// no trapping maths, no errno, float exp, double accumulation per lane.
__attribute__((optimize("no-trapping-math", "no-math-errno")))
static double reerLogSumExp(const float* logits, int32_t n) {
    float maxLogit = -std::numeric_limits<float>::infinity();
    for (int32_t i = 0; i < n; i++) {
        maxLogit = logits[i] > maxLogit ? logits[i] : maxLogit;
    }
    if (!std::isfinite(maxLogit)) {
        return maxLogit;
    }

    constexpr int32_t lanes = 8;
    double partial[lanes] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        float e[lanes];
        for (int32_t j = 0; j < lanes; j++) {
            e[j] = expf(logits[i + j] - maxLogit);
        }
        for (int32_t j = 0; j < lanes; j++) {
            partial[j] += e[j];
        }
    }
    double sum = 0;
    for (; i < n; i++) {
        sum += expf(logits[i] - maxLogit);
    }
    for (int32_t j = 0; j < lanes; j++) {
        sum += partial[j];
    }
    return (double)maxLogit + std::log(sum);
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
    const size_t count = batchLogitIndexes.ElementLength();
    if (targetTokens.ElementLength() != count) {
        Napi::RangeError::New(env, "batchLogitIndexes and targetTokens differ in length").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    const int32_t nVocab = llama_vocab_n_tokens(context->model->vocab);
    Napi::Float64Array result = Napi::Float64Array::New(env, count);
    for (size_t k = 0; k < count; k++) {
        const uint32_t target = targetTokens[k];
        if (target >= static_cast<uint32_t>(nVocab)) {
            Napi::RangeError::New(env, "Target token is outside the vocabulary").ThrowAsJavaScriptException();
            return env.Undefined();
        }
        const float* logits = llama_get_logits_ith(context->ctx, batchLogitIndexes[k]);
        if (logits == nullptr) {
            Napi::Error::New(env, "No logits at this batch index").ThrowAsJavaScriptException();
            return env.Undefined();
        }
        result[k] = (double)logits[target] - reerLogSumExp(logits, nVocab);
    }
    return result;
}

void reerRegisterTokenLogprobs(Napi::Object exports) {
    exports.Set("reerTokenLogprobs", Napi::Function::New(exports.Env(), reerTokenLogprobs, "reerTokenLogprobs"));
    exports.Set("reerTokenLogprobsVersion", Napi::Number::New(exports.Env(), reerTokenLogprobsVersion));
}
