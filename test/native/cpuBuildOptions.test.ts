import { describe, expect, it } from "vitest";
import { cmakeOptionsEnv, cmakeOptionsProblem, parseCmakeCache, parseCpuFlags, planCpuOptions } from "../../scripts/native/cpuBuildOptions.mjs";
import { inspectionProblem, type Inspection } from "../../scripts/native/nodeLlamaSteps.mjs";

// The flags line of a cloud VM on a Sapphire Rapids host (AMX advertised), shortened.
const sapphireRapidsFlags = "fpu vme de pse tsc msr pae sse sse2 ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt avx f16c rdrand " +
    "bmi1 avx2 bmi2 avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx_vnni avx512_bf16 avx512vbmi " +
    "avx512_vbmi2 avx512_vnni avx512_bitalg avx512_vpopcntdq amx_bf16 avx512_fp16 amx_tile amx_int8";
const cpuinfo = (flags: string) => `processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: ${flags}\nbogomips\t: 4000.00\n\nprocessor\t: 1\nflags\t\t: ${flags}\n`;
const linuxX64 = (flags: string | null) => ({ platform: "linux", arch: "x64", cpuFlags: flags == null ? null : parseCpuFlags(cpuinfo(flags)) });

describe("planCpuOptions", () => {
    it("names every instruction set the CPU reports, turns -march=native off and leaves OpenMP out, and AMX without the fix", () => {
        const { options, notes } = planCpuOptions(linuxX64(sapphireRapidsFlags));
        expect(options).toEqual({
            GGML_NATIVE: "OFF",
            GGML_SSE42: "ON", GGML_AVX: "ON", GGML_AVX2: "ON", GGML_BMI2: "ON", GGML_FMA: "ON", GGML_F16C: "ON",
            GGML_AVX_VNNI: "ON", GGML_AVX512: "ON", GGML_AVX512_VBMI: "ON", GGML_AVX512_VNNI: "ON", GGML_AVX512_BF16: "ON",
            GGML_AMX_TILE: "OFF", GGML_AMX_INT8: "OFF", GGML_AMX_BF16: "OFF",
            GGML_OPENMP: "OFF"
        });
        expect(notes.join("\n")).toContain("the CPU reports AMX");
    });

    it("turns ggml's AMX kernels on where the CPU reports AMX and native/ carries the tile configuration fix", () => {
        const fixed = planCpuOptions({ ...linuxX64(sapphireRapidsFlags), amxTileConfigFixed: true });
        expect(fixed.options).toMatchObject({ GGML_NATIVE: "OFF", GGML_AVX512_VNNI: "ON", GGML_AMX_TILE: "ON", GGML_AMX_INT8: "ON", GGML_AMX_BF16: "ON", GGML_OPENMP: "OFF" });
        expect(fixed.notes.join("\n")).toContain("AMX_TILE AMX_INT8 AMX_BF16");
        expect(fixed.notes.join("\n")).toContain("fixed by native/llama.cpp-amx-tileconfig.patch");
        // Without the fix (the first test) AMX stays off, and the note says why.
        expect(planCpuOptions(linuxX64(sapphireRapidsFlags)).notes.join("\n")).toContain("native/ lacks llama.cpp-amx-tileconfig.patch");
        // Each AMX option needs its own flags; none without amx_tile.
        const tileAndInt8 = sapphireRapidsFlags.replace(" amx_bf16", "");
        expect(planCpuOptions({ ...linuxX64(tileAndInt8), amxTileConfigFixed: true }).options)
            .toMatchObject({ GGML_AMX_TILE: "ON", GGML_AMX_INT8: "ON", GGML_AMX_BF16: "OFF" });
        expect(planCpuOptions({ ...linuxX64(sapphireRapidsFlags.replace(" amx_tile", "")), amxTileConfigFixed: true }).options)
            .toMatchObject({ GGML_AMX_TILE: "OFF", GGML_AMX_INT8: "OFF", GGML_AMX_BF16: "OFF" });
        // The fix changes nothing on a CPU without AMX.
        expect(planCpuOptions({ ...linuxX64("sse4_2 avx f16c fma bmi2 avx2"), amxTileConfigFixed: true }).options)
            .toMatchObject({ GGML_AMX_TILE: "OFF", GGML_AMX_INT8: "OFF", GGML_AMX_BF16: "OFF" });
    });

    it("turns off what an AVX2-only CPU lacks", () => {
        const { options, notes } = planCpuOptions(linuxX64("sse4_2 avx f16c fma bmi2 avx2"));
        expect(options).toMatchObject({ GGML_NATIVE: "OFF", GGML_AVX2: "ON", GGML_FMA: "ON", GGML_AVX_VNNI: "OFF", GGML_AVX512: "OFF", GGML_AVX512_VNNI: "OFF" });
        expect(notes.join("\n")).not.toContain("AMX");
    });

    it("needs all five AVX-512 foundations before any AVX-512 option", () => {
        const { options } = planCpuOptions(linuxX64("sse4_2 avx avx2 fma f16c bmi2 avx512f avx512_vnni"));
        expect(options).toMatchObject({ GGML_AVX512: "OFF", GGML_AVX512_VNNI: "OFF" });
    });

    it("leaves ggml's defaults off Linux x64 and when /proc/cpuinfo lists no flags", () => {
        expect(planCpuOptions({ platform: "darwin", arch: "arm64", cpuFlags: null }).options).toEqual({});
        expect(planCpuOptions({ platform: "linux", arch: "arm64", cpuFlags: ["fp", "asimd"] }).options).toEqual({});
        const unknown = planCpuOptions(linuxX64(null));
        expect(unknown.options).toEqual({});
        expect(unknown.notes.join("\n")).toContain("no flags");
    });

    it("keeps a CUDA build on the GPUs present, as GGML_NATIVE would, where CUDA and CMake support that", () => {
        const probes = (cmake: string | undefined, nvcc: string | undefined) => ({ ...linuxX64(sapphireRapidsFlags), versions: { cmake, nvcc } });
        expect(planCpuOptions(probes("3.25.1", "12.4"), "cuda").options.CMAKE_CUDA_ARCHITECTURES).toBe("native");
        expect(planCpuOptions(probes("3.22.1", "12.4"), "cuda").options.CMAKE_CUDA_ARCHITECTURES).toBeUndefined();
        expect(planCpuOptions(probes("3.25.1", "11.4"), "cuda").options.CMAKE_CUDA_ARCHITECTURES).toBeUndefined();
        expect(planCpuOptions(probes(undefined, "12.4"), "cuda").options.CMAKE_CUDA_ARCHITECTURES).toBeUndefined();
        expect(planCpuOptions(probes("3.25.1", "12.4"), "vulkan").options.CMAKE_CUDA_ARCHITECTURES).toBeUndefined();
        expect(planCpuOptions(probes("3.25.1", "12.4"), false).options.CMAKE_CUDA_ARCHITECTURES).toBeUndefined();
    });
});

describe("passing and checking the options", () => {
    it("hands them to cmake-js as npm_cmake_* variables", () => {
        expect(cmakeOptionsEnv({ GGML_NATIVE: "OFF", GGML_AVX2: "ON" })).toEqual({ npm_cmake_GGML_NATIVE: "OFF", npm_cmake_GGML_AVX2: "ON" });
    });

    it("reads a CMakeCache.txt and compares booleans by meaning", () => {
        const cache = parseCmakeCache("# comment\n//help text\nGGML_NATIVE:BOOL=OFF\nGGML_AVX2:BOOL=TRUE\nGGML_AMX_INT8:BOOL=OFF\nCMAKE_CUDA_ARCHITECTURES:STRING=native\n");
        expect(cache).toMatchObject({ GGML_NATIVE: "OFF", GGML_AVX2: "TRUE", CMAKE_CUDA_ARCHITECTURES: "native" });
        expect(cmakeOptionsProblem(cache, { GGML_NATIVE: "OFF", GGML_AVX2: "ON", GGML_AMX_INT8: "OFF", GGML_AVX512: "OFF" })).toBeNull();
        expect(cmakeOptionsProblem(cache, { GGML_NATIVE: "ON", GGML_AVX512: "ON" }))
            .toBe("it was configured with other CPU options (GGML_NATIVE=OFF instead of ON, GGML_AVX512=(unset) instead of ON)");
    });

    it("makes a build configured with other CPU options out of date", () => {
        const inspection: Inspection = {
            loaded: true, buildType: "localBuild", gpu: false, version: "0123456789abcdef", samplerTopK: true,
            functions: ["reerTokenLogprobs", "reerCopySequence", "reerNativeVersion"],
            cmakeCache: { GGML_NATIVE: "ON", GGML_AMX_INT8: "OFF" }
        };
        const options = { GGML_NATIVE: "OFF", GGML_AMX_INT8: "OFF" };
        expect(inspectionProblem(inspection, false, "0123456789abcdef", options)).toContain("GGML_NATIVE=ON instead of OFF");
        expect(inspectionProblem({ ...inspection, cmakeCache: { GGML_NATIVE: "OFF" } }, false, "0123456789abcdef", options)).toBeNull();
        // No cache to read (a build folder without one): the other checks decide.
        expect(inspectionProblem({ ...inspection, cmakeCache: null }, false, "0123456789abcdef", options)).toBeNull();
    });
});
