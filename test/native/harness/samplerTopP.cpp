// Test harness for native/ReerSamplerTopP.cpp, compiled by test/native/samplerTopP.test.ts
// without llama.cpp's library: the sampler needs only llama_sampler_init, defined here.
//   samplerTopP <file>   cases (int32 count; per case: float p, int32 minKeep, int32 sorted,
//                        int32 n, then n pairs of int32 id and float logit); per case one line:
//                        kept count, sorted flag, whether a second call and a clone agreed, then
//                        id:p per kept token
#include <cstdint>
#include <cstdio>
#include <vector>

#include "llama.h"

llama_sampler* reerSamplerInitTopP(float p, size_t minKeep);

extern "C" llama_sampler* llama_sampler_init(llama_sampler_i* iface, llama_sampler_context_t ctx) {
    return new llama_sampler{ iface, ctx };
}

static void release(llama_sampler* smpl) {
    smpl->iface->free(smpl);
    delete smpl;
}

template <typename T>
static bool read(FILE* in, T* value) {
    return std::fread(value, sizeof(T), 1, in) == 1;
}

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    FILE* in = std::fopen(argv[1], "rb");
    if (in == nullptr) return 3;
    int32_t count = 0;
    if (!read(in, &count)) return 3;
    for (int32_t c = 0; c < count; c++) {
        float p = 0;
        int32_t minKeep = 0, sorted = 0, n = 0;
        if (!read(in, &p) || !read(in, &minKeep) || !read(in, &sorted) || !read(in, &n)) return 3;
        std::vector<llama_token_data> data(static_cast<size_t>(n));
        for (auto& token : data) {
            if (!read(in, &token.id) || !read(in, &token.logit)) return 3;
            token.p = 0.0f;
        }
        llama_sampler* smpl = reerSamplerInitTopP(p, static_cast<size_t>(minKeep));
        llama_sampler* copy = smpl->iface->clone(smpl);
        // Twice on the same sampler, so scratch left from a call cannot change the next, and
        // once on its clone.
        std::vector<llama_token_data> kept[3];
        bool keptSorted = false;
        for (int round = 0; round < 3; round++) {
            std::vector<llama_token_data> work = data;
            llama_token_data_array array = { work.data(), work.size(), -1, sorted != 0 };
            llama_sampler* applied = round < 2 ? smpl : copy;
            applied->iface->apply(applied, &array);
            kept[round].assign(array.data, array.data + array.size);
            keptSorted = array.sorted;
        }
        bool agree = true;
        for (int round = 0; round < 2; round++) {
            agree = agree && kept[round].size() == kept[2].size();
            for (size_t i = 0; agree && i < kept[2].size(); i++) agree = kept[round][i].id == kept[2][i].id;
        }
        data = kept[2];
        sorted = keptSorted ? 1 : 0;
        std::printf("%zu %d %d", data.size(), sorted, agree ? 1 : 0);
        for (const auto& token : data) std::printf(" %d:%.9g", token.id, token.p);
        std::printf("\n");
        release(copy);
        release(smpl);
    }
    std::fclose(in);
    return 0;
}
