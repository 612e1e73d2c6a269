// What the GPU check packs (scripts/gpu-check/pack.sh --list, packList.mjs) and the stand-ins its
// run.sh puts on PATH, without packing anything: the whole pack is rehearsed by
// rehearsal.test.ts (opt-in, REER_GPU_CHECK_REHEARSAL=1).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keepLlamaCppFile, productionPackages, repoRoot } from "../../scripts/gpu-check/packList.mjs";

const script = (name: string) => path.join(repoRoot, "scripts", "gpu-check", name);
const scratch = mkdtempSync(path.join(tmpdir(), "reer-gpu-check-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("pack.sh --list", () => {
    const lines = execFileSync("bash", [script("pack.sh"), "--list"], { encoding: "utf8", timeout: 60_000 }).trimEnd().split("\n");
    const paths = lines.map((line) => line.replace(/ (->|\().*$/, ""));
    const has = (p: string) => paths.includes(p);
    const nlc = "app/node_modules/node-llama-cpp";

    it("packs run.sh, the Node binary and the app folder with reer's files", () => {
        expect(paths.slice(0, 4)).toEqual(["run.sh", expect.stringMatching(/^node-v\d+\.\d+\.\d+-linux-x64\.xz$/), "app.tar.xz", "MANIFEST.txt"]);
        for (const file of ["app/package.json", "app/native/ReerAddon.cpp", "app/native/addon-register.patch", "app/prompts/en/system.txt",
            "app/examples/pairs.jsonl", "app/scripts/build-native.mjs", "app/native/nativeFingerprint.mjs",
            "app/scripts/native/runNativeBuild.mjs", "app/scripts/gpu-check/npmRunShim.mjs", "app/scripts/gpu-check/makePairs.mjs",
            "app/scripts/bench-score.js", "app/scripts/bench-synth.js", "app/scripts/bench-generation.js",
            "app/scripts/bench-model/makeBenchModel.js", "app/scripts/gguf/GgufWriter.js"])
            expect(paths, file).toContain(file);
        expect(paths.some((p) => p.startsWith("app/dist/")), "dist/").toBe(true);
        // The compiled bench scripts import ../src/...: src is dist.
        expect(lines).toContain("app/src -> dist");
        expect(paths.filter((p) => p.startsWith("app/scripts/native/")).every((p) => p.endsWith(".mjs") && !p.endsWith(".d.mts"))).toBe(true);
    });

    it("packs the production dependencies, and the addon build's headers and cmake-js with its command link", () => {
        for (const pkg of ["zod", "commander", "@huggingface/jinja", "node-llama-cpp", "cmake-js", "node-api-headers", "node-addon-api"])
            expect(paths.some((p) => p.startsWith(`app/node_modules/${pkg}/`)), pkg).toBe(true);
        expect(lines).toContain("app/node_modules/.bin/cmake-js -> ../cmake-js/bin/cmake-js");
        expect(has(`${nlc}/dist/cli/cli.js`)).toBe(true);
    });

    it("leaves out node-llama-cpp's prebuilt binaries, dev-only packages, git data and build output", () => {
        const unwanted = [
            /^app\/node_modules\/@node-llama-cpp\//,
            /^app\/node_modules\/(typescript|vitest|tsx|esbuild|@types)\//,
            /(^|\/)\.git\//,
            /gitRelease\.bundle$/,
            /\/llama\/localBuilds\//,
            /\/llama\/lastBuild\.json$/,
            /\/\.reer-pristine-/,
            /^app\/node_modules\/.*\.(map|d\.ts)$/
        ];
        for (const pattern of unwanted)
            expect(paths.filter((p) => pattern.test(p)), String(pattern)).toEqual([]);
        expect(paths.filter((p) => /(^|\/)\.git$/.test(p))).toEqual([`${nlc}/llama/llama.cpp/.git`]);
        expect(lines).toContain(`${nlc}/llama/llama.cpp/.git (written)`);
    });

    it("packs llama.cpp's sources for a CPU and a CUDA build, and nothing else of the clone but the bench vocabulary", () => {
        const clone = `${nlc}/llama/llama.cpp/`;
        for (const file of ["CMakeLists.txt", "ggml/CMakeLists.txt", "ggml/src/ggml-cpu/CMakeLists.txt", "ggml/src/ggml-cuda/CMakeLists.txt",
            "ggml/src/ggml-cuda/mmq.cu", "src/llama.cpp", "common/CMakeLists.txt", "vendor/CMakeLists.txt", "models/ggml-vocab-qwen2.gguf"])
            expect(paths, file).toContain(clone + file);
        const inClone = paths.filter((p) => p.startsWith(clone)).map((p) => p.slice(clone.length));
        expect(inClone.filter((p) => /^(tests|docs|examples|tools|models\/(?!ggml-vocab-qwen2\.gguf$)|gguf-py|media)/.test(p))).toEqual([]);
        expect(inClone.filter((p) => /^ggml\/src\/ggml-(vulkan|metal|sycl|opencl|cann|webgpu)\//.test(p))).toEqual([]);
    });

    it("packs node-llama-cpp's addon sources unpatched, for the build to patch", () => {
        const addon = paths.filter((p) => p.startsWith(`${nlc}/llama/addon/`));
        expect(addon).toContain(`${nlc}/llama/addon/addon.cpp`);
        expect(addon.filter((p) => path.posix.basename(p).startsWith("Reer"))).toEqual([]);
    });
});

describe("packList", () => {
    it("keeps llama.cpp's build sources and drops the rest", () => {
        expect(keepLlamaCppFile("ggml/src/ggml-cuda/fattn.cu")).toBe(true);
        expect(keepLlamaCppFile("ggml/src/ggml.c")).toBe(true);
        expect(keepLlamaCppFile("ggml/src/ggml-vulkan/ggml-vulkan.cpp")).toBe(false);
        expect(keepLlamaCppFile("tests/test-backend-ops.cpp")).toBe(false);
        expect(keepLlamaCppFile("models/ggml-vocab-llama-bpe.gguf")).toBe(false);
        expect(keepLlamaCppFile("models/ggml-vocab-qwen2.gguf")).toBe(true);
    });

    it("follows dependencies as Node resolves them, without @node-llama-cpp/*, optional peers or missing optional packages", () => {
        const root = path.join(scratch, "deps");
        const pkg = (dir: string, manifest: object) => {
            mkdirSync(path.join(root, dir), { recursive: true });
            writeFileSync(path.join(root, dir, "package.json"), JSON.stringify(manifest));
        };
        pkg(".", { name: "app", dependencies: { a: "1" }, devDependencies: { dev: "1" } });
        pkg("node_modules/a", {
            dependencies: { b: "1", "@node-llama-cpp/linux-x64": "1" },
            optionalDependencies: { missing: "1" },
            peerDependencies: { typescript: "5", peer: "1" },
            peerDependenciesMeta: { typescript: { optional: true } }
        });
        pkg("node_modules/a/node_modules/b", { dependencies: { c: "1" } });
        pkg("node_modules/c", {});
        pkg("node_modules/peer", {});
        pkg("node_modules/typescript", {});
        pkg("node_modules/dev", {});
        pkg("node_modules/@node-llama-cpp/linux-x64", {});
        expect(productionPackages(root)).toEqual(["node_modules/a", "node_modules/a/node_modules/b", "node_modules/c", "node_modules/peer"]);
        pkg("node_modules/c", { dependencies: { gone: "1" } });
        expect(() => productionPackages(root)).toThrow(/gone, a dependency of node_modules\/c, is not installed/);
    });
});

describe("npmRunShim.mjs", () => {
    const dir = path.join(scratch, "npm");
    mkdirSync(path.join(dir, "sub"), { recursive: true });
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ scripts: { show: "printf '%s|'" } }));
    const callLog = path.join(dir, "calls.log");
    const npm = (...args: string[]) => spawnSync(process.execPath, [script("npmRunShim.mjs"), ...args],
        { cwd: path.join(dir, "sub"), encoding: "utf8", timeout: 60_000, env: { ...process.env, REER_GPU_CHECK_CALL_LOG: callLog } });

    it("runs a package.json script with the arguments after --, from the package's folder", () => {
        const result = npm("run", "-s", "show", "--", "a", "b c");
        expect(result.status).toBe(0);
        expect(result.stdout).toBe("a|b c|");
    });

    it("refuses every other npm command, and logs each call", () => {
        const result = npm("install", "left-pad");
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("only `npm run <script> [-- args]` is available");
        expect(npm("run", "nothing").status).toBe(1);
        expect(readFileSync(callLog, "utf8")).toContain("npm install left-pad\n");
    });
});

describe("patchFallback.mjs", () => {
    const dir = path.join(scratch, "patch");
    const file = path.join(dir, "tree", "f.txt");
    const original = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n";
    const patchFile = path.join(dir, "change.patch");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(patchFile, [
        "--- a/tree/f.txt", "+++ b/tree/f.txt",
        "@@ -1,3 +1,3 @@", " one", "-two", "+TWO", " three",
        "@@ -8,3 +8,4 @@", " eight", " nine", "+nine and a half", " ten", ""
    ].join("\n"));
    const patch = (...args: string[]) => spawnSync(process.execPath,
        [script("patchFallback.mjs"), "-p1", "--batch", "--fuzz=0", "--no-backup-if-mismatch", "-d", dir, "-i", patchFile, ...args], { encoding: "utf8", timeout: 60_000 });

    it("applies, refuses to apply twice, and reverses, as reer's native build uses GNU patch", () => {
        writeFileSync(file, `zero\n${original}`); // one line more than the patch expects: an offset
        expect(patch("--forward", "--dry-run").status).toBe(0);
        expect(readFileSync(file, "utf8")).toBe(`zero\n${original}`);
        expect(patch("--forward").status).toBe(0);
        expect(readFileSync(file, "utf8")).toBe("zero\none\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nnine and a half\nten\n");
        expect(patch("--forward", "--dry-run").status).toBe(1);
        expect(patch("--reverse", "--dry-run").status).toBe(0);
        expect(patch("--reverse").status).toBe(0);
        expect(readFileSync(file, "utf8")).toBe(`zero\n${original}`);
    });

    it("changes nothing when a hunk does not match", () => {
        writeFileSync(file, original.replace("nine", "NINE"));
        const result = patch("--forward");
        expect(result.status).toBe(1);
        expect(result.stdout).toContain("Hunk #2 FAILED");
        expect(readFileSync(file, "utf8")).toBe(original.replace("nine", "NINE"));
    });
});

describe("makePairs.mjs", () => {
    it("repeats the examples under new ids and cuts long responses", () => {
        const out = path.join(scratch, "pairs.jsonl");
        execFileSync(process.execPath, [script("makePairs.mjs"), "--out", out, "--count", "9", "--response-chars", "300"], { timeout: 60_000 });
        const pairs = readFileSync(out, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { id: string; prompt: string; response: string });
        expect(pairs).toHaveLength(9);
        expect(new Set(pairs.map((pair) => pair.id)).size).toBe(9);
        expect(pairs[0]!.id).toBe("gpu-check-01-ex-lighthouse");
        expect(pairs.every((pair) => pair.prompt.length > 0 && pair.response.length > 0 && pair.response.length <= 300)).toBe(true);
    });
});
