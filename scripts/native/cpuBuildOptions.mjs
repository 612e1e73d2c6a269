// The cmake options reer's native build compiles llama.cpp's CPU backend (ggml-cpu) with.
//
// ggml's default on a local build is GGML_NATIVE=ON, i.e. -march=native. On an x86 CPU with
// AMX (Sapphire Rapids and later; common in cloud VMs) -march=native defines __AMX_INT8__,
// which turns on ggml's AMX kernels (ggml/src/ggml-cpu/amx/): they take over the matrix
// multiplications of Q4_0, Q4_1, Q8_0, Q4_K, Q5_K, Q6_K and IQ4_XS weights. As released, they
// die with SIGILL on the first evaluation when GCC 12 compiles them: ggml_tile_config_init
// (amx/mmq.cpp) fills a tile configuration on the stack and passes it to _tile_loadconfig,
// whose GCC 12 definition (amxtileintrin.h) declares an 8-byte memory operand, so the
// compiler drops the stores of the tile rows and widths as dead; ldtilecfg loads a
// configuration whose tiles are all 0x0, and the next tile instruction (tilezero) raises #UD.
// The OS does allow AMX (ggml's arch_prctl(ARCH_REQ_XCOMP_PERM) succeeds), so nothing at run
// time notices. native/llama.cpp-amx-tileconfig.patch fixes the source: ldtilecfg gets the
// whole 64-byte configuration as its memory operand. With GGML_NATIVE on, ggml ignores
// GGML_AMX_*, so reer turns native off and names every instruction set /proc/cpuinfo reports
// instead; the AMX ones only when native/ carries that patch (the build applies every patch
// in native/ or builds nothing, so a build that reports native/'s version has it).
//
// Measured on a 2-core cloud VM whose CPU reports AMX (GCC 12.2; Qwen2.5-0.5B-shaped Q8_0
// model; builds interleaved in one run, medians), prompt / decode tokens per second:
//                                                   1 thread, 256 + 32 tokens   2 threads, 512 + 64 tokens
//   node-llama-cpp's prebuilt binary (its sapphirerapids
//     variant: GCC 11.4, AMX works, no OpenMP)             425 / 23.7                773 / 33.6
//   explicit options, AMX and OpenMP off             126 (0.30x) / 13.4 (0.57x)  222 (0.29x) / 24.6 (0.73x)
//   -march=native -mno-amx-tile -mno-amx-int8
//     -mno-amx-bf16, OpenMP on                       120 (0.28x) / 12.9 (0.54x)  214 (0.28x) / 15.5 (0.46x)
//   explicit options with AMX on and ggml's tile
//     configuration fixed in source (these options)  432 (1.02x) / 23.1 (0.98x)  720 (0.93x) / 32.8 (0.97x)
//   -march=native (ggml's default before)                   SIGILL                      SIGILL
// Explicit options evaluate prompts as fast as -march=native without AMX and decode a little
// faster; on a CPU without AMX those two rows are the whole comparison. On AMX CPUs, leaving
// AMX out costs about 70% of the prebuilt binary's prompt speed.
//
// The options reach cmake as npm_cmake_<NAME> environment variables: cmake-js, which
// node-llama-cpp's `source build` runs, reads npm's configuration with the `rc` package
// (prefix "npm_", so from these variables as well as .npmrc files) and appends every
// cmake_<NAME> entry as -D<NAME>=<value> after node-llama-cpp's own options, so
// GGML_NATIVE=OFF overrides its GGML_NATIVE=ON. (npm_config_cmake_<NAME> does NOT work: rc
// sees it as config_cmake_<NAME>.) The build's verification reads the options back from the
// build's CMakeCache.txt, so a cmake-js that stopped honouring them fails the build instead of
// leaving a crashing one. These variables stay out of node-llama-cpp's build-folder name: its
// NODE_LLAMA_CPP_CMAKE_OPTION_* variables would reach cmake too, but put the build in a folder
// named after a hash of the options (llama/localBuilds/linux-x64-<hash>), which getLlama()
// only finds when the same variables are set at run time, so reer would silently load the
// prebuilt binary instead.

/** ggml's x86 options and the /proc/cpuinfo flags each one needs (ggml-cpu/CMakeLists.txt). */
export const x86Options = [
    ["GGML_SSE42", ["sse4_2"]],
    ["GGML_AVX", ["avx"]],
    ["GGML_AVX2", ["avx2"]],
    ["GGML_BMI2", ["bmi2"]],
    ["GGML_FMA", ["fma"]],
    ["GGML_F16C", ["f16c"]],
    ["GGML_AVX_VNNI", ["avx_vnni"]],
    // -mavx512f -mavx512cd -mavx512vl -mavx512dq -mavx512bw
    ["GGML_AVX512", ["avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"]],
    ["GGML_AVX512_VBMI", ["avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512vbmi"]],
    ["GGML_AVX512_VNNI", ["avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_vnni"]],
    ["GGML_AVX512_BF16", ["avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_bf16"]]
];

/** ggml's AMX options and the flags each needs; on only with the tile configuration fix (see the top of this file). */
export const amxOptionFlags = [
    ["GGML_AMX_TILE", ["amx_tile"]],
    ["GGML_AMX_INT8", ["amx_tile", "amx_int8"]],
    ["GGML_AMX_BF16", ["amx_tile", "amx_bf16"]]
];
export const amxOptions = amxOptionFlags.map(([name]) => name);

/** The patch in native/ that fixes ggml's AMX tile configuration. */
export const amxTileConfigPatch = "llama.cpp-amx-tileconfig.patch";

/** The instruction-set flags of the first processor in /proc/cpuinfo, or null when there are none. */
export function parseCpuFlags(cpuinfo) {
    const line = cpuinfo?.split("\n").find((text) => /^flags\s*:/.test(text));
    return line == null ? null : line.slice(line.indexOf(":") + 1).trim().split(/\s+/).filter((flag) => flag !== "");
}

const versionAtLeast = (version, minimum) => {
    const parts = (text) => text.split(".").map((part) => Number.parseInt(part, 10) || 0);
    const [have, need] = [parts(version), parts(minimum)];
    for (let i = 0; i < need.length; i++)
        if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) > need[i];
    return true;
};

/**
 * probes: { platform, arch, cpuFlags: string[] | null, versions?: { cmake?, nvcc? },
 * amxTileConfigFixed?: native/ carries amxTileConfigPatch }.
 * Returns { options: { NAME: value }, notes: [why] } for one backend's build (the CPU
 * backend is compiled into every build, GPU ones included). Empty options leave ggml's
 * defaults, which are safe where there is no AMX to switch off.
 */
export function planCpuOptions(probes, backend = false) {
    const { platform, arch, cpuFlags } = probes;
    if (platform !== "linux" || arch !== "x64")
        return { options: {}, notes: [] };
    if (cpuFlags == null)
        return { options: {}, notes: ["CPU options: /proc/cpuinfo lists no flags, leaving ggml's default (-march=native)"] };
    const has = new Set(cpuFlags);
    const options = { GGML_NATIVE: "OFF" };
    for (const [name, flags] of x86Options) options[name] = flags.every((flag) => has.has(flag)) ? "ON" : "OFF";
    const amxReported = ["amx_tile", "amx_int8", "amx_bf16"].some((flag) => has.has(flag));
    const amx = amxReported && probes.amxTileConfigFixed === true;
    for (const [name, flags] of amxOptionFlags) options[name] = amx && flags.every((flag) => has.has(flag)) ? "ON" : "OFF";
    // ggml's own thread pool instead of OpenMP, as in node-llama-cpp's prebuilt binaries: with
    // 2 threads it decoded 31% faster (21.9 against 16.8 tokens/s, same run), prompts and
    // 1 thread the same.
    options.GGML_OPENMP = "OFF";
    const enabled = [...x86Options, ...amxOptionFlags].filter(([name]) => options[name] === "ON").map(([name]) => name.slice("GGML_".length));
    const notes = [`CPU options: ${enabled.length > 0 ? enabled.join(" ") : "none beyond x86-64"} (GGML_NATIVE off)`];
    if (amx)
        notes.push(`the CPU reports AMX; ggml's AMX kernels are built, with their tile configuration fixed by native/${amxTileConfigPatch}`);
    else if (amxReported)
        notes.push(`the CPU reports AMX; ggml's AMX kernels are left out: native/ lacks ${amxTileConfigPatch}, without which they crash with SIGILL`);
    if (backend === "cuda") {
        // GGML_NATIVE also picks the CUDA architectures: "native" (the GPUs present) when CUDA
        // >= 11.6 and CMake >= 3.24, else a long list. Keep what GGML_NATIVE=ON would have chosen.
        const { cmake, nvcc } = probes.versions ?? {};
        if (cmake != null && nvcc != null && versionAtLeast(cmake, "3.24") && versionAtLeast(nvcc, "11.6"))
            options.CMAKE_CUDA_ARCHITECTURES = "native";
    }
    return { options, notes };
}

/** The environment that hands `options` to cmake through cmake-js (see the top of this file). */
export function cmakeOptionsEnv(options) {
    return Object.fromEntries(Object.entries(options).map(([name, value]) => [`npm_cmake_${name}`, value]));
}

/** name -> value of a CMakeCache.txt ("NAME:TYPE=value" lines). */
export function parseCmakeCache(text) {
    const values = {};
    for (const line of text.split("\n")) {
        const match = /^([A-Za-z0-9_]+):[A-Z]+=(.*)$/.exec(line.trimEnd());
        if (match != null) values[match[1]] = match[2];
    }
    return values;
}

const truthy = new Set(["ON", "TRUE", "YES", "Y", "1"]);
const falsy = new Set(["OFF", "FALSE", "NO", "N", "0", "", "NOTFOUND"]);
const normalise = (value) => {
    const upper = String(value ?? "").toUpperCase();
    return truthy.has(upper) ? "ON" : falsy.has(upper) || upper.endsWith("-NOTFOUND") ? "OFF" : String(value);
};

/** Why a build configured with `cache` was not built with `options`, or null when it was. */
export function cmakeOptionsProblem(cache, options) {
    const differing = Object.entries(options)
        .filter(([name, value]) => normalise(cache[name]) !== normalise(value))
        .map(([name, value]) => `${name}=${cache[name] ?? "(unset)"} instead of ${value}`);
    return differing.length === 0 ? null : `it was configured with other CPU options (${differing.join(", ")})`;
}
