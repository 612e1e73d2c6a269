// reer: copy one sequence's whole state (KV cache) onto another sequence of the same
// context. node-llama-cpp 3.21 does not expose llama_memory_seq_cp. The candidates of
// an edit step share their prompt: one sequence evaluates it, the others get a copy.
//
// Contexts are built without a unified KV cache, so each sequence has its own stream
// and llama.cpp copies whole sequences only; the buffer copy itself happens at the
// start of the next decode. The caller must hold node-llama-cpp's context lock, so no
// decode runs while the cell metadata changes.
#include <cstdint>

#include "llama.h"
#include "napi.h"
#include "AddonContext.h"

static Napi::Value reerCopySequence(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject() || !info[1].IsNumber() || !info[2].IsNumber()) {
        Napi::TypeError::New(env, "reerCopySequence(context, sourceSequenceId, targetSequenceId)").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    AddonContext* context = Napi::ObjectWrap<AddonContext>::Unwrap(info[0].As<Napi::Object>());
    if (context == nullptr || context->disposed || context->ctx == nullptr) {
        Napi::Error::New(env, "Context is disposed").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    const int32_t source = info[1].As<Napi::Number>().Int32Value();
    const int32_t target = info[2].As<Napi::Number>().Int32Value();
    const int32_t sequences = static_cast<int32_t>(llama_n_seq_max(context->ctx));
    if (source < 0 || target < 0 || source >= sequences || target >= sequences || source == target) {
        Napi::RangeError::New(env, "Sequence ids must be distinct and within the context").ThrowAsJavaScriptException();
        return env.Undefined();
    }

    llama_memory_t memory = llama_get_memory(context->ctx);
    llama_memory_seq_rm(memory, target, -1, -1);
    llama_memory_seq_cp(memory, source, target, -1, -1);
    return env.Undefined();
}

void reerRegisterSequenceCopy(Napi::Object exports) {
    exports.Set("reerCopySequence", Napi::Function::New(exports.Env(), reerCopySequence, "reerCopySequence"));
}
