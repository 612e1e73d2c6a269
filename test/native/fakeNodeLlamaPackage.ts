// A stand-in for the node-llama-cpp package that scripts/build-native.mjs patches and
// builds: a few addon sources, a CLI whose "build" reads the patched tree the way a
// compiler would (version header, patch markers) and records what it would export, and
// a getLlama that loads that record. Each build call is logged with the cmake options it got
// through npm_cmake_* variables. Lets the build's all-or-nothing logic run in
// milliseconds without touching the real addon.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const pristineAddon: Record<string, string> = {
    "addon.cpp": "#include \"napi.h\"\n\nvoid registerCallback() {\n    initContext();\n    initSampler();\n}\n",
    "Sampler.cpp": "int sample(int topK) {\n    int k = topK <= 0 ? vocab() : topK;\n    return k;\n}\n",
    "globals/memory.cpp": "long freeMemory() { return 0; }\n"
};

/** The llama.cpp sources the fake's `source download` clones: a build file and one kernel file. */
export const pristineLlamaCpp: Record<string, string> = {
    "CMakeLists.txt": "project(llama.cpp)\n",
    "ggml/src/ggml-cpu/amx/mmq.cpp": "void tile_config_init() {\n    fill(tc);\n    _tile_loadconfig(&tc);\n}\n"
};

const fakeCli = `
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
const packageDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const args = process.argv.slice(2);
const gpu = args[args.indexOf("--gpu") + 1];
const cmakeEnv = Object.keys(process.env).filter((name) => name.startsWith("npm_cmake_")).sort().map((name) => " " + name + "=" + process.env[name]).join("");
if (process.env.FAKE_CALLS_FILE) appendFileSync(process.env.FAKE_CALLS_FILE, args.join(" ") + cmakeEnv + "\\n");
const llamaCppDir = path.join(packageDir, "llama", "llama.cpp");
// Only the clone without a build writes sources (enough for the tests: a clone-and-build leaves
// nothing reer has to restore).
if (args[1] === "download" && args.includes("--skipBuild")) {
    if (process.env.FAKE_CLONE === "fail") { console.error("fake clone error"); process.exit(3); }
    for (const [rel, text] of Object.entries(${JSON.stringify(pristineLlamaCpp)})) {
        mkdirSync(path.dirname(path.join(llamaCppDir, rel)), { recursive: true });
        writeFileSync(path.join(llamaCppDir, rel), text);
    }
    process.exit(0);
}
const out = path.join(packageDir, "llama", "localBuilds", "fake-" + (gpu === "false" ? "cpu" : gpu));
mkdirSync(path.join(out, "Release"), { recursive: true });
writeFileSync(path.join(out, "Release", "partial.o"), "half a build");
if (process.env.FAKE_BUILD === "fail") { console.error("fake compiler error"); process.exit(2); }
const addon = (file) => { const f = path.join(packageDir, "llama", "addon", file); return existsSync(f) ? readFileSync(f, "utf8") : ""; };
const version = process.env.FAKE_VERSION ?? /REER_NATIVE_VERSION "([^"]+)"/.exec(addon("ReerNativeVersion.h"))?.[1] ?? null;
const registered = addon("addon.cpp").includes("reerRegisterAddon") && addon("ReerAddon.cpp") !== "";
const kernel = path.join(llamaCppDir, "ggml", "src", "ggml-cpu", "amx", "mmq.cpp");
const tileConfigFixed = existsSync(kernel) && readFileSync(kernel, "utf8").includes("ldtilecfg");
writeFileSync(path.join(out, "state.json"), JSON.stringify({ version: registered ? version : null, samplerTopK: addon("Sampler.cpp").includes("reerSamplerTopK"), tileConfigFixed }));
writeFileSync(path.join(out, "Release", "llama-addon.node"), "reer-native-version:" + version + " reerSamplerTopK");
writeFileSync(path.join(out, "buildDone.status"), "");
`;

const fakeIndex = `
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
const packageDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
export async function getLlama({ gpu }) {
    const state = path.join(packageDir, "llama", "localBuilds", "fake-" + (gpu === false ? "cpu" : gpu), "state.json");
    if (!existsSync(state)) throw new Error("no local build");
    const { version, samplerTopK } = JSON.parse(readFileSync(state, "utf8"));
    const bindings = version == null ? {} : {
        reerTokenLogprobs() {}, reerCopySequence() {}, reerNativeVersion: () => version
    };
    if (samplerTopK) bindings.reerSamplerTopK = true;
    return { buildType: "localBuild", gpu, _bindings: bindings, async dispose() {} };
}
`;

/** Writes files (relative path -> text) under dir. */
export function writeFiles(dir: string, files: Record<string, string>): void {
    for (const [rel, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
    }
}

/** Every file under dir, relative path -> bytes as text, for byte-for-byte comparisons. */
export function snapshot(dir: string): Record<string, string> {
    const files: Record<string, string> = {};
    const walk = (rel: string): void => {
        for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const child = path.posix.join(rel, entry.name);
            if (entry.isDirectory()) walk(child);
            else files[child] = readFileSync(path.join(dir, child)).toString("base64");
        }
    };
    walk("");
    return files;
}

/** A unified diff of one file of the package (by default an addon file), as native/*.patch files are written. */
export function makePatch(file: string, before: string, after: string, tree = "llama/addon"): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "reer-diff-"));
    writeFileSync(path.join(dir, "before"), before);
    writeFileSync(path.join(dir, "after"), after);
    const result = spawnSync("diff", ["-u", "--label", `a/${tree}/${file}`, "--label", `b/${tree}/${file}`, "before", "after"], { cwd: dir, encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    if (result.status !== 1) throw new Error(`diff failed: ${result.stderr}`);
    return result.stdout;
}

export const registerPatch = makePatch("addon.cpp", pristineAddon["addon.cpp"]!,
    pristineAddon["addon.cpp"]!.replace("    initSampler();\n", "    initSampler();\n    reerRegisterAddon();\n"));
export const samplerPatch = makePatch("Sampler.cpp", pristineAddon["Sampler.cpp"]!,
    pristineAddon["Sampler.cpp"]!.replace("    return k;\n", "    return k; // reerSamplerTopK\n"));
/** Written against a Sampler.cpp that differs from the pristine one, so it cannot apply. */
export const staleSamplerPatch = makePatch("Sampler.cpp", pristineAddon["Sampler.cpp"]!.replace("vocab()", "vocabSize()"),
    pristineAddon["Sampler.cpp"]!.replace("vocab()", "vocabSize()").replace("    return k;\n", "    return k; // reerSamplerTopK\n"));

const kernelFile = "ggml/src/ggml-cpu/amx/mmq.cpp";
/** The shape of native/llama.cpp-amx-tileconfig.patch: one llama.cpp kernel file changed. */
export const tileConfigPatch = makePatch(kernelFile, pristineLlamaCpp[kernelFile]!,
    pristineLlamaCpp[kernelFile]!.replace("    _tile_loadconfig(&tc);\n", "    asm volatile(\"ldtilecfg %0\" :: \"m\"(tc));\n"), "llama/llama.cpp");
/** Written against another release's kernel file, so it cannot apply. */
export const staleTileConfigPatch = makePatch(kernelFile, pristineLlamaCpp[kernelFile]!.replace("fill(tc)", "fill_config(tc)"),
    pristineLlamaCpp[kernelFile]!.replace("fill(tc)", "fill_config(tc)").replace("    _tile_loadconfig(&tc);\n", "    asm volatile(\"ldtilecfg %0\" :: \"m\"(tc));\n"), "llama/llama.cpp");

const roots: string[] = [];

export function removeFakeSetups(): void {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** A fake package and a native/ folder beside it (plus `extraNative` files), in a fresh temporary folder. */
export function makeFakeSetup(samplerPatchText = samplerPatch, extraNative: Record<string, string> = {}): { packageDir: string; nativeDir: string; callsFile: string } {
    const root = mkdtempSync(path.join(os.tmpdir(), "reer-native-test-"));
    roots.push(root);
    const packageDir = path.join(root, "node-llama-cpp");
    writeFiles(packageDir, {
        ...Object.fromEntries(Object.entries(pristineAddon).map(([rel, text]) => [`llama/addon/${rel}`, text])),
        "dist/cli/cli.js": fakeCli,
        "dist/index.js": fakeIndex,
        "package.json": JSON.stringify({ name: "node-llama-cpp", type: "module" })
    });
    const nativeDir = path.join(root, "native");
    writeFiles(nativeDir, {
        "ReerAddon.cpp": "void reerRegisterAddon() {}\n",
        "addon-register.patch": registerPatch,
        "sampler-top-k.patch": samplerPatchText,
        ...extraNative
    });
    return { packageDir, nativeDir, callsFile: path.join(root, "calls.log") };
}
