// The steps of a native build that need node-llama-cpp itself: cloning llama.cpp and
// compiling one backend with its CLI (offline, from the llama.cpp sources inside its package),
// and inspecting the result.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cmakeOptionsEnv, cmakeOptionsProblem, parseCmakeCache } from "./cpuBuildOptions.mjs";

const inspectScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "inspectAddon.mjs");
export const requiredFunctions = ["reerTokenLogprobs", "reerCopySequence", "reerNativeVersion"];

export function localBuildsDir(packageDir) {
    return path.join(packageDir, "llama", "localBuilds");
}

/** name -> mtime of every build folder, to tell afterwards which ones a build wrote. */
export function snapshotLocalBuilds(packageDir) {
    const dir = localBuildsDir(packageDir);
    if (!existsSync(dir)) return new Map();
    return new Map(readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => [entry.name, statSync(path.join(dir, entry.name)).mtimeMs]));
}

export function changedLocalBuilds(before, after) {
    return [...after].filter(([name, mtime]) => before.get(name) !== mtime).map(([name]) => name);
}

/** Whether node-llama-cpp's llama.cpp sources are there (llama/llama.cpp, cloned by `source download`). */
export function llamaCppCloned(packageDir) {
    return existsSync(path.join(packageDir, "llama", "llama.cpp", "CMakeLists.txt"));
}

/**
 * Clones llama.cpp from the git bundle inside the package (no network) without building it,
 * so its sources can be patched before the first build.
 */
export function cloneLlamaCpp(packageDir, { env, log }) {
    const cli = path.join(packageDir, "dist", "cli", "cli.js");
    const args = [cli, "source", "download", "--skipBuild", "--noUsageExample"];
    log(`$ node ${path.relative(process.cwd(), cli)} ${args.slice(1).join(" ")}`);
    const result = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...env, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "false" } });
    return result.status === 0
        ? { ok: true }
        : { ok: false, detail: `node-llama-cpp's \`source download --skipBuild\` exited with ${result.status ?? result.signal}` };
}

/** cmakeOptions: reer's options for ggml's CPU backend (cpuBuildOptions.mjs), passed to cmake through cmake-js. */
export function buildBackend(packageDir, backend, { env, log, cmakeOptions = {} }) {
    const cli = path.join(packageDir, "dist", "cli", "cli.js");
    // `source download` clones llama.cpp from the git bundle inside the package (no network)
    // and builds; once the clone is there, `source build` builds it as it is (patched).
    const args = [cli, "source", llamaCppCloned(packageDir) ? "build" : "download", "--gpu", String(backend), "--noUsageExample"];
    const optionsEnv = cmakeOptionsEnv(cmakeOptions);
    const envText = Object.entries(optionsEnv).map(([name, value]) => `${name}=${value} `).join("");
    log(`$ ${envText}node ${path.relative(process.cwd(), cli)} ${args.slice(1).join(" ")}`);
    const result = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...env, ...optionsEnv, NODE_LLAMA_CPP_SKIP_DOWNLOAD: "false" } });
    return result.status === 0
        ? { ok: true }
        : { ok: false, detail: `node-llama-cpp's \`source ${args[2]} --gpu ${backend}\` exited with ${result.status ?? result.signal}` };
}

export function inspectBackend(packageDir, backend, env) {
    const result = spawnSync(process.execPath, [inspectScript, packageDir, String(backend)], { encoding: "utf8", env, timeout: 120_000 });
    const line = (result.stdout ?? "").split("\n").find((text) => text.startsWith("REER_INSPECT "));
    if (line == null) return { loaded: false, error: `inspection exited with ${result.status ?? result.signal}: ${(result.stderr ?? "").trim().slice(-500)}` };
    const inspection = JSON.parse(line.slice("REER_INSPECT ".length));
    return { ...inspection, cmakeCache: readCmakeCache(inspection.binaryPath) };
}

/** The cmake cache of the build folder holding binaryPath (<folder>/Release/llama-addon.node), or null. */
function readCmakeCache(binaryPath) {
    if (binaryPath == null) return null;
    const cacheFile = path.join(path.dirname(path.dirname(binaryPath)), "CMakeCache.txt");
    return existsSync(cacheFile) ? parseCmakeCache(readFileSync(cacheFile, "utf8")) : null;
}

/**
 * Why a loaded build is not reer's current one, or null when it is. cmakeOptions are checked
 * against the build's CMakeCache.txt when the inspection found one, so a build made with
 * other CPU options (an earlier reer's, which crashed on AMX CPUs) is rebuilt.
 */
export function inspectionProblem(inspection, backend, version, cmakeOptions = {}) {
    if (!inspection.loaded) return `it does not load: ${inspection.error}`;
    if (inspection.buildType !== "localBuild") return `node-llama-cpp loaded a ${inspection.buildType} binary instead of the local build`;
    if (inspection.gpu !== backend) return `it runs on ${inspection.gpu === false ? "the CPU" : inspection.gpu}, not ${backend === false ? "the CPU" : backend}`;
    const missing = requiredFunctions.filter((name) => !inspection.functions.includes(name));
    if (missing.length > 0) return `it lacks ${missing.join(", ")}`;
    if (inspection.version !== version) return `it reports native version ${inspection.version}, native/ is ${version}`;
    if (!inspection.samplerTopK) return "it lacks the sampler patch (no reerSamplerTopK flag)";
    if (inspection.cmakeCache != null) return cmakeOptionsProblem(inspection.cmakeCache, cmakeOptions);
    return null;
}

/**
 * For a GPU build that cannot load here (no device): the version marker and the sampler
 * patch's flag name must be in the compiled binary.
 */
export function binaryMarkerProblem(packageDir, folders, version) {
    const binaries = folders.flatMap((folder) => findNodeFiles(path.join(localBuildsDir(packageDir), folder)));
    if (binaries.length === 0) return "the build left no .node binary";
    const marker = Buffer.from(`reer-native-version:${version}`);
    const good = binaries.some((file) => {
        const bytes = readFileSync(file);
        return bytes.includes(marker) && bytes.includes(Buffer.from("reerSamplerTopK"));
    });
    return good ? null : `no binary carries reer-native-version:${version} and the sampler flag`;
}

function findNodeFiles(dir) {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return findNodeFiles(full);
        return entry.isFile() && entry.name.endsWith(".node") ? [full] : [];
    });
}
