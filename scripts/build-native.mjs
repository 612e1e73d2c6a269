#!/usr/bin/env node
// Builds node-llama-cpp's native addon from the llama.cpp sources that ship inside
// the npm package (offline), with reer's additions patched in: exact log-probabilities
// for scoring, whole-sequence KV copies for shared prompts, and a sampler without a
// hidden whole-vocabulary top-k.
// Runs from `npm ci` (postinstall) and can be re-run with `npm run build:native`.
//
// Environment:
//   REER_SKIP_NATIVE_BUILD=1   skip (reer then uses the slower stock scoring path and says so)
//   REER_NATIVE_GPU=cuda|vulkan|false   which backend to build (default: false = CPU)
//   REER_NATIVE_FORCE=1        rebuild even when an up-to-date build is present
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = path.join(root, "native");
const require = createRequire(import.meta.url);
const log = (message) => console.error(`[reer native] ${message}`);

if (process.env.REER_SKIP_NATIVE_BUILD === "1") {
    log("REER_SKIP_NATIVE_BUILD=1: skipped; scoring will use the slower stock path.");
    process.exit(0);
}

// The package's "exports" hide package.json; walk up from its entry point instead.
function findPackageDir(entry) {
    let dir = path.dirname(entry);
    while (!existsSync(path.join(dir, "llama", "addon"))) {
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error("node-llama-cpp's llama/addon sources were not found");
        dir = parent;
    }
    return dir;
}
const packageDir = findPackageDir(require.resolve("node-llama-cpp"));
const llamaDir = path.join(packageDir, "llama");
const addonSources = readdirSync(nativeDir).filter((file) => file.endsWith(".cpp")).sort();
const patches = readdirSync(nativeDir).filter((file) => file.endsWith(".patch")).sort();
const gpu = process.env.REER_NATIVE_GPU ?? "false";
// What the loaded addon must export for the build to count.
const requiredFunctions = ["reerTokenLogprobs", "reerCopySequence"];

const hash = createHash("sha256");
for (const file of addonSources)
    hash.update(file).update(readFileSync(path.join(nativeDir, file)));
for (const file of patches)
    hash.update(file).update(readFileSync(path.join(nativeDir, file)));
const fingerprint = hash
    .update(gpu)
    .update(readFileSync(path.join(packageDir, "package.json")))
    .digest("hex")
    .slice(0, 16);
const stampFile = path.join(llamaDir, "localBuilds", `reer-${gpu}.stamp`);

function run(command, args, options = {}) {
    log(`$ ${command} ${args.join(" ")}`);
    const result = spawnSync(command, args, { stdio: "inherit", ...options });
    if (result.status !== 0) {
        log(`failed: ${command} ${args.join(" ")} (exit ${result.status ?? result.signal})`);
        process.exit(1);
    }
}

function applyPatches() {
    for (const file of addonSources)
        copyFileSync(path.join(nativeDir, file), path.join(llamaDir, "addon", file));
    // An install patched by an earlier reer registered the scoring addition alone.
    const addonCppFile = path.join(llamaDir, "addon", "addon.cpp");
    const addonCpp = readFileSync(addonCppFile, "utf8");
    if (addonCpp.includes("reerRegisterTokenLogprobs"))
        writeFileSync(addonCppFile, addonCpp.replaceAll("reerRegisterTokenLogprobs", "reerRegisterAddon"));
    for (const file of patches) {
        const patchArgs = ["-p1", "--no-backup-if-mismatch", "-i", path.join(nativeDir, file)];
        const applied = spawnSync("patch", ["--dry-run", "--reverse", "--silent", ...patchArgs], { cwd: packageDir, stdio: "ignore" }).status === 0;
        if (applied)
            log(`${file} already applied`);
        else
            run("patch", ["--forward", ...patchArgs], { cwd: packageDir });
    }
}

async function verify() {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({
        gpu: gpu === "false" ? false : gpu,
        build: "never",
        usePrebuiltBinaries: false,
        logLevel: LlamaLogLevel.error
    });
    const present = requiredFunctions.every((name) => typeof llama._bindings?.[name] === "function");
    await llama.dispose();
    return present;
}

if (process.env.REER_NATIVE_FORCE !== "1" && existsSync(stampFile) &&
    readFileSync(stampFile, "utf8").trim() === fingerprint && await verify().catch(() => false)) {
    log(`up to date (${fingerprint}, gpu=${gpu})`);
    process.exit(0);
}

const started = Date.now();
applyPatches();
const cli = path.join(packageDir, "dist", "cli", "cli.js");
const cloned = existsSync(path.join(llamaDir, "llama.cpp", "CMakeLists.txt"));
// `source download` clones llama.cpp from the git bundle inside the npm package (no network).
run(process.execPath, [cli, "source", cloned ? "build" : "download", "--gpu", gpu, "--noUsageExample"], {
    cwd: root,
    env: { ...process.env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "false" }
});

if (!(await verify())) {
    log(`the build finished but the loaded addon lacks one of ${requiredFunctions.join(", ")}`);
    process.exit(1);
}
mkdirSync(path.dirname(stampFile), { recursive: true });
writeFileSync(stampFile, fingerprint + "\n");
log(`built and verified in ${((Date.now() - started) / 1000).toFixed(0)} s (gpu=${gpu})`);
