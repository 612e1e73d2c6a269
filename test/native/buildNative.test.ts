// scripts/build-native.mjs against a fake node-llama-cpp package: every failure leaves the
// package exactly as pristine and the install succeeding with a warning; success leaves it
// patched with the version compiled in.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cmakeOptionsEnv, planCpuOptions } from "../../scripts/native/cpuBuildOptions.mjs";
import { nativeFingerprint } from "../../native/nativeFingerprint.mjs";
import { probeMachine } from "../../scripts/native/probeMachine.mjs";
import { makeFakeSetup, makePatch, pristineLlamaCpp, registerPatch, removeFakeSetups, snapshot, staleSamplerPatch, staleTileConfigPatch, tileConfigPatch } from "./fakeNodeLlamaPackage.js";

const buildScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "scripts", "build-native.mjs");

function runBuild(setup: ReturnType<typeof makeFakeSetup>, env: Record<string, string> = {}) {
    const result = spawnSync(process.execPath, [buildScript], {
        encoding: "utf8",
        timeout: 100_000,
        killSignal: "SIGKILL",
        env: {
            PATH: process.env.PATH,
            REER_NATIVE_PACKAGE_DIR: setup.packageDir,
            REER_NATIVE_DIR: setup.nativeDir,
            REER_NATIVE_GPU: "false",
            FAKE_CALLS_FILE: setup.callsFile,
            ...env
        }
    });
    return { code: result.status, stderr: result.stderr };
}

const builds = (setup: ReturnType<typeof makeFakeSetup>): string[] =>
    existsSync(setup.callsFile) ? readFileSync(setup.callsFile, "utf8").trim().split("\n") : [];

function expectStockWarning(stderr: string, stage: string): void {
    expect(stderr).toContain(`WARNING: reer's native build failed at the ${stage} step.`);
    expect(stderr).toContain("about 90 ms per scored token at a 150k vocabulary");
    expect(stderr).toContain("Retry: npm run build:native");
}

afterAll(removeFakeSetups);

describe("build-native on a fake package", () => {
    it("leaves the package byte-identical and exits 0 with a warning when a patch does not apply", () => {
        const setup = makeFakeSetup(staleSamplerPatch);
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expectStockWarning(stderr, "patch");
        expect(stderr).toContain("sampler-top-k.patch does not apply");
        expect(stderr).not.toContain("addon-register.patch does not apply");
        expect(stderr).toContain("restored to pristine");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
        expect(builds(setup)).toEqual([]);
    });

    it("exits non-zero on the same failure with REER_NATIVE_STRICT=1, still restoring the package", () => {
        const setup = makeFakeSetup(staleSamplerPatch);
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup, { REER_NATIVE_STRICT: "1" });
        expect(code).toBe(1);
        expect(stderr).toContain("REER_NATIVE_STRICT=1: failing the install.");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("restores the sources and removes the half-written build when compiling fails", () => {
        const setup = makeFakeSetup();
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup, { FAKE_BUILD: "fail" });
        expect(code).toBe(0);
        expectStockWarning(stderr, "build (cpu)");
        expect(builds(setup)).toHaveLength(1);
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("rejects a build whose compiled version is not native/'s, restoring everything", () => {
        const setup = makeFakeSetup();
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup, { FAKE_VERSION: "0000000000000000" });
        expect(code).toBe(0);
        expectStockWarning(stderr, "verification (cpu)");
        expect(stderr).toContain(`reports native version 0000000000000000, native/ is ${nativeFingerprint(setup.nativeDir)}`);
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("patches, builds and verifies, then finds the build up to date", () => {
        const setup = makeFakeSetup();
        const first = runBuild(setup);
        expect(first.code).toBe(0);
        expect(first.stderr).not.toContain("WARNING");
        const addon = path.join(setup.packageDir, "llama", "addon");
        expect(readFileSync(path.join(addon, "ReerNativeVersion.h"), "utf8")).toContain(`"${nativeFingerprint(setup.nativeDir)}"`);
        expect(readFileSync(path.join(addon, "addon.cpp"), "utf8")).toContain("reerRegisterAddon");
        expect(readFileSync(path.join(addon, "Sampler.cpp"), "utf8")).toContain("reerSamplerTopK");
        expect(existsSync(path.join(addon, "ReerAddon.cpp"))).toBe(true);

        const second = runBuild(setup);
        expect(second.code).toBe(0);
        expect(second.stderr).toContain("cpu: up to date");
        expect(builds(setup)).toHaveLength(1);
    });

    it("hands this machine's CPU options to the build through npm_cmake_* variables", () => {
        const setup = makeFakeSetup();
        // A value from the environment is kept unless reer sets that option itself.
        expect(runBuild(setup, { npm_cmake_GGML_NATIVE: "ON" }).code).toBe(0);
        const env: Record<string, string> = { npm_cmake_GGML_NATIVE: "ON", ...cmakeOptionsEnv(planCpuOptions(probeMachine({}), false).options) };
        const passed = Object.keys(env).sort().map((name) => ` ${name}=${env[name]}`).join("");
        expect(builds(setup)).toEqual([`source download --gpu false --noUsageExample${passed}`]);
    });

    it("recovers the pristine sources of an already-patched tree by reversing the applied patches", () => {
        const setup = makeFakeSetup();
        const pristine = snapshot(setup.packageDir);
        expect(runBuild(setup).code).toBe(0);
        // As left by a version of this script that kept no pristine copy.
        rmSync(path.join(setup.packageDir, "llama", ".reer-pristine-addon"), { recursive: true });
        rmSync(path.join(setup.packageDir, "llama", "localBuilds"), { recursive: true });
        const { code, stderr } = runBuild(setup, { REER_NATIVE_FORCE: "1", FAKE_BUILD: "fail" });
        expect(code).toBe(0);
        expect(stderr).toContain("addon-register.patch is already applied");
        expect(stderr).toContain("sampler-top-k.patch is already applied");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("restores from the saved pristine copy when a changed patch no longer applies", () => {
        const setup = makeFakeSetup();
        const pristine = snapshot(setup.packageDir);
        expect(runBuild(setup).code).toBe(0);
        rmSync(path.join(setup.packageDir, "llama", "localBuilds"), { recursive: true });
        writeFileSync(path.join(setup.nativeDir, "sampler-top-k.patch"), staleSamplerPatch);
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expect(stderr).toContain("pristine addon sources: saved copy");
        expectStockWarning(stderr, "patch");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("touches nothing when the tree holds another version's changes it cannot undo", () => {
        const setup = makeFakeSetup();
        expect(runBuild(setup).code).toBe(0);
        rmSync(path.join(setup.packageDir, "llama", ".reer-pristine-addon"), { recursive: true });
        writeFileSync(path.join(setup.nativeDir, "sampler-top-k.patch"), staleSamplerPatch);
        const before = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expectStockWarning(stderr, "sources");
        expect(stderr).toContain("sampler-top-k.patch neither applies nor reverses");
        expect(stderr).toContain("(`npm ci`)");
        expect(snapshot(setup.packageDir)).toEqual(before);
    });

    it("reports an unknown REER_NATIVE_GPU without touching the package", () => {
        const setup = makeFakeSetup();
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup, { REER_NATIVE_GPU: "rocm" });
        expect(code).toBe(0);
        expectStockWarning(stderr, "plan");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });
});

describe("build-native with a patch to llama.cpp's sources", () => {
    const kernel = "ggml/src/ggml-cpu/amx/mmq.cpp";
    const withTileConfig = (patch = tileConfigPatch) => makeFakeSetup(undefined, { "llama.cpp-amx-tileconfig.patch": patch });
    const llamaCppFile = (setup: ReturnType<typeof makeFakeSetup>, rel: string) =>
        readFileSync(path.join(setup.packageDir, "llama", "llama.cpp", rel), "utf8");
    const savedLlamaCpp = (setup: ReturnType<typeof makeFakeSetup>) => path.join(setup.packageDir, "llama", ".reer-pristine-llama.cpp");
    const buildState = (setup: ReturnType<typeof makeFakeSetup>) =>
        JSON.parse(readFileSync(path.join(setup.packageDir, "llama", "localBuilds", "fake-cpu", "state.json"), "utf8")) as { tileConfigFixed: boolean };
    /** The package as a successful clone leaves it, before reer touches anything. */
    const clonedPristine = (setup: ReturnType<typeof makeFakeSetup>) => ({
        ...snapshot(setup.packageDir),
        ...Object.fromEntries(Object.entries(pristineLlamaCpp).map(([rel, text]) => [`llama/llama.cpp/${rel}`, Buffer.from(text).toString("base64")]))
    });

    it("clones llama.cpp without building, patches it, then builds the patched sources, and keeps a pristine copy", () => {
        const setup = withTileConfig();
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expect(stderr).not.toContain("WARNING");
        const calls = builds(setup);
        expect(calls).toHaveLength(2);
        expect(calls[0]).toBe("source download --skipBuild --noUsageExample");
        expect(calls[1]).toMatch(/^source build --gpu false --noUsageExample/);
        expect(buildState(setup).tileConfigFixed).toBe(true);
        expect(llamaCppFile(setup, kernel)).toContain("ldtilecfg");
        expect(readFileSync(path.join(savedLlamaCpp(setup), kernel), "utf8")).toBe(pristineLlamaCpp[kernel]);
        expect(stderr).toContain("pristine llama.cpp sources: current tree");

        const second = runBuild(setup);
        expect(second.stderr).toContain("cpu: up to date");
        expect(builds(setup)).toHaveLength(2);
        // A forced rebuild patches from the saved copy and builds without cloning again.
        const third = runBuild(setup, { REER_NATIVE_FORCE: "1" });
        expect(third.code).toBe(0);
        expect(third.stderr).toContain("pristine llama.cpp sources: saved copy");
        expect(builds(setup).slice(2).map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual(["source build"]);
        expect(llamaCppFile(setup, kernel)).toContain("ldtilecfg");
    });

    it("puts llama.cpp's sources back when the build fails", () => {
        const setup = withTileConfig();
        const { code, stderr } = runBuild(setup, { FAKE_BUILD: "fail" });
        expect(code).toBe(0);
        expectStockWarning(stderr, "build (cpu)");
        expect(llamaCppFile(setup, kernel)).toBe(pristineLlamaCpp[kernel]);
        expect(existsSync(savedLlamaCpp(setup))).toBe(false);
        expect(existsSync(path.join(setup.packageDir, "llama", ".reer-pristine-addon"))).toBe(false);
    });

    it("changes neither tree when the llama.cpp patch does not apply", () => {
        const setup = withTileConfig(staleTileConfigPatch);
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expectStockWarning(stderr, "patch");
        expect(stderr).toContain("llama.cpp-amx-tileconfig.patch does not apply");
        // Only the clone was made: no build ran, and every source is as the clone and the package left it.
        expect(builds(setup)).toEqual(["source download --skipBuild --noUsageExample"]);
        expect(snapshot(setup.packageDir)).toEqual(clonedPristine(setup));
    });

    it("stops before touching anything when the clone fails", () => {
        const setup = withTileConfig();
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup, { FAKE_CLONE: "fail" });
        expect(code).toBe(0);
        expectStockWarning(stderr, "clone");
        expect(stderr).toContain("Nothing was changed");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
    });

    it("recovers llama.cpp's pristine file from an already-patched clone by reversing the patch", () => {
        const setup = withTileConfig();
        expect(runBuild(setup).code).toBe(0);
        rmSync(savedLlamaCpp(setup), { recursive: true });
        rmSync(path.join(setup.packageDir, "llama", ".reer-pristine-addon"), { recursive: true });
        const { code, stderr } = runBuild(setup, { REER_NATIVE_FORCE: "1", FAKE_BUILD: "fail" });
        expect(code).toBe(0);
        expect(stderr).toContain("llama.cpp-amx-tileconfig.patch is already applied");
        expect(llamaCppFile(setup, kernel)).toBe(pristineLlamaCpp[kernel]);
    });

    it("puts llama.cpp's file back when native/ no longer patches it", () => {
        const setup = withTileConfig();
        expect(runBuild(setup).code).toBe(0);
        rmSync(path.join(setup.nativeDir, "llama.cpp-amx-tileconfig.patch"));
        expect(runBuild(setup).code).toBe(0);
        expect(llamaCppFile(setup, kernel)).toBe(pristineLlamaCpp[kernel]);
        expect(buildState(setup).tileConfigFixed).toBe(false);
    });

    it("refuses a patch that writes outside the addon and llama.cpp, or into both, before touching anything", () => {
        const outside = makePatch("cmake/x.cmake", "a\n", "b\n", "llama");
        const both = `${registerPatch}${tileConfigPatch}`;
        const setup = makeFakeSetup(undefined, { "outside.patch": outside, "z-both.patch": both });
        const pristine = snapshot(setup.packageDir);
        const { code, stderr } = runBuild(setup);
        expect(code).toBe(0);
        expectStockWarning(stderr, "patch");
        expect(stderr).toContain("outside.patch writes outside llama/addon and llama/llama.cpp: llama/cmake/x.cmake");
        expect(stderr).toContain("z-both.patch changes more than one of llama/addon and llama/llama.cpp");
        expect(snapshot(setup.packageDir)).toEqual(pristine);
        expect(builds(setup)).toEqual([]);
    });

    it("turns AMX on only where the CPU reports it and native/ carries the tile configuration fix", () => {
        const setup = withTileConfig();
        expect(runBuild(setup).code).toBe(0);
        const probes = { ...probeMachine({}), amxTileConfigFixed: true };
        const env = cmakeOptionsEnv(planCpuOptions(probes, false).options);
        const passed = Object.keys(env).sort().map((name) => ` ${name}=${env[name]}`).join("");
        expect(builds(setup)[1]).toBe(`source build --gpu false --noUsageExample${passed}`);
    });
});
