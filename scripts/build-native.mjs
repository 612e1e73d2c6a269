#!/usr/bin/env node
// Builds node-llama-cpp's native addon from the llama.cpp sources that ship inside the
// npm package (offline), with reer's additions from native/ patched in: exact
// log-probabilities for scoring, whole-sequence KV copies for shared prompts, a sampler
// without a hidden whole-vocabulary top-k, and one version string for all of it.
// Patches in native/ whose paths lie under llama/llama.cpp change the llama.cpp sources node-llama-cpp
// clones (cloned first, without building, then patched, then built), e.g. the fix of ggml's
// AMX tile configuration. Builds the CPU backend and the best GPU backend the machine can
// use, with llama.cpp's CPU kernels compiled for the instruction sets the CPU reports (AMX
// only with that fix; see ./native/cpuBuildOptions.mjs). All or nothing: on any failure the
// package is restored and the install continues on the stock binary.
// Runs from `npm ci` (postinstall) and can be re-run with `npm run build:native`.
//
// Environment:
//   REER_SKIP_NATIVE_BUILD=1   skip (reer then uses the slower stock scoring path and says so)
//   REER_NATIVE_GPU=auto|cuda|vulkan|metal|false   GPU build besides the CPU one (default auto:
//                              CUDA when nvcc and an NVIDIA driver are present, else Vulkan
//                              when glslc, its headers and a device are, Metal on Apple silicon)
//   REER_NATIVE_FORCE=1        rebuild even when the builds present are current
//   REER_NATIVE_STRICT=1       exit non-zero when the build fails (for CI)
//   REER_NATIVE_PACKAGE_DIR, REER_NATIVE_DIR   the node-llama-cpp package to patch and the
//                              native/ folder to patch it with (defaults: the installed package,
//                              this repository's native/; tests point them at fakes)
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { failureWarning } from "./native/failureWarning.mjs";
import { amxTileConfigPatch, planCpuOptions } from "./native/cpuBuildOptions.mjs";
import { nativeFiles } from "../native/nativeFingerprint.mjs";
import { buildBackend, cloneLlamaCpp, inspectBackend } from "./native/nodeLlamaSteps.mjs";
import { probeMachine } from "./native/probeMachine.mjs";
import { runNativeBuild } from "./native/runNativeBuild.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = process.env;
const strict = env.REER_NATIVE_STRICT === "1";
const log = (message) => console.error(`[reer native] ${message}`);

if (env.REER_SKIP_NATIVE_BUILD === "1") {
    log("REER_SKIP_NATIVE_BUILD=1: skipped; scoring will use the slower stock path (`npm run build:native` builds it later).");
    process.exit(0);
}

// The package's "exports" hide package.json; walk up from its entry point instead.
function findPackageDir() {
    if (env.REER_NATIVE_PACKAGE_DIR != null) return path.resolve(env.REER_NATIVE_PACKAGE_DIR);
    let dir = path.dirname(createRequire(import.meta.url).resolve("node-llama-cpp"));
    while (!existsSync(path.join(dir, "llama", "addon"))) {
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error("node-llama-cpp's llama/addon sources were not found");
        dir = parent;
    }
    return dir;
}

let result;
try {
    const packageDir = findPackageDir();
    const started = Date.now();
    const nativeDir = path.resolve(env.REER_NATIVE_DIR ?? path.join(root, "native"));
    const probes = { ...probeMachine(env), amxTileConfigFixed: nativeFiles(nativeDir).includes(amxTileConfigPatch) };
    const cmakeOptions = (backend) => planCpuOptions(probes, backend).options;
    for (const note of planCpuOptions(probes).notes) log(note);
    result = await runNativeBuild({
        packageDir,
        nativeDir,
        probes,
        force: env.REER_NATIVE_FORCE === "1",
        steps: {
            clone: () => cloneLlamaCpp(packageDir, { env, log }),
            build: (backend) => buildBackend(packageDir, backend, { env, log, cmakeOptions: cmakeOptions(backend) }),
            inspect: (backend) => inspectBackend(packageDir, backend, env)
        },
        cmakeOptions,
        log
    });
    if (result.ok && result.built.length > 0)
        log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s (native version ${result.version})`);
} catch (error) {
    // A bug or an unexpected file-system state: still report it the same way.
    result = { ok: false, stage: "setup", detail: error instanceof Error ? error.stack ?? error.message : String(error), restored: false };
}
if (!result.ok) {
    console.error(failureWarning(result, { strict }).split("\n").map((line) => `[reer native] ${line}`).join("\n"));
    process.exit(strict ? 1 : 0);
}
