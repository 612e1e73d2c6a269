#!/usr/bin/env node
// What the GPU check packs for a machine without Node and without network (see pack.sh): the
// files of the app folder it unpacks, each with where it comes from. Used by pack.sh to stage
// the folder and, with --list, to print it without packing.
//
//   node scripts/gpu-check/packList.mjs --list [--bench-dir DIR]     print app/... paths, one a line
//   node scripts/gpu-check/packList.mjs --stage DIR --bench-dir DIR  copy the app folder to DIR/app
//
// The app folder looks like an installed reer: package.json, dist/, native/, prompts/, the
// native build scripts, the bench scripts compiled to JS (bench-dir: tsc's output for
// tsconfig.bench.json; they import ../src/..., so src is a link to dist), and the production
// node_modules. node-llama-cpp goes without its prebuilt binaries (@node-llama-cpp/*), its git
// bundle and its local builds, but with its llama.cpp clone (llama/llama.cpp) trimmed to what
// a CPU and a CUDA build compile, so that `source build` builds it as it is. Sources reer has
// patched in place are packed as they were before (from the pristine copies the native build
// keeps), so the build on the other machine patches them itself.
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Packages never packed: node-llama-cpp's prebuilt binaries (~540 MB; the check builds its own). */
export const excludedPackage = (name) => name.startsWith("@node-llama-cpp/");

/** Files in node_modules nothing loads at run time. */
const unneededModuleFile = (rel) => /\.(map|d\.ts|d\.mts|d\.cts)$/.test(rel);

/** node-llama-cpp's clone of llama.cpp (relative to llama/llama.cpp): what a CPU and a CUDA build read. */
const llamaCppTopLevel = new Set(["CMakeLists.txt", "LICENSE", "cmake", "common", "ggml", "include", "licenses", "src", "vendor"]);
/** ggml backends (ggml/src/ggml-*) kept: the CPU and CUDA ones, and the small ones CUDA's shares code with. */
const ggmlBackendsKept = new Set(["ggml-cpu", "ggml-cuda", "ggml-blas", "ggml-rpc", "ggml-hip", "ggml-musa"]);
/** The Qwen2 vocabulary the bench model is written with (scripts/bench-model/makeBenchModel.ts). */
export const benchVocab = "models/ggml-vocab-qwen2.gguf";

export function keepLlamaCppFile(rel) {
    if (rel === benchVocab) return true;
    const parts = rel.split("/");
    if (!llamaCppTopLevel.has(parts[0])) return false;
    if (parts[0] === "ggml" && parts[1] === "src" && parts.length > 3 && parts[2].startsWith("ggml-")) return ggmlBackendsKept.has(parts[2]);
    return true;
}

/**
 * node-llama-cpp's `source build` takes llama/llama.cpp as cloned when it holds a .git entry
 * and llama/llama.cpp.info.json exists. The packed .git is this one-line file, pointing
 * nowhere, so no git command finds a repository there (or above it).
 */
export const llamaCppGitMarker = { rel: ".git", content: "gitdir: /nonexistent/reer-gpu-check-has-no-git-history\n" };

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** Node's lookup: name in the node_modules folders from dir up to (and including) root. */
function resolvePackage(name, fromDir, root) {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", name);
        if (existsSync(path.join(candidate, "package.json"))) return candidate;
        if (dir === root || path.dirname(dir) === dir) return null;
    }
}

/**
 * The production packages (dependencies, optional ones that are installed, non-optional
 * peers), as folders relative to root, sorted; excludedPackage ones and what only they need
 * left out. Throws when a required dependency is not installed.
 */
export function productionPackages(root = repoRoot) {
    const found = new Map();
    const visit = (dir) => {
        const manifest = readJson(path.join(dir, "package.json"));
        const optionalPeers = new Set(Object.entries(manifest.peerDependenciesMeta ?? {}).filter(([, meta]) => meta?.optional).map(([name]) => name));
        const wanted = [
            ...Object.keys(manifest.dependencies ?? {}).map((name) => [name, true]),
            ...Object.keys(manifest.optionalDependencies ?? {}).map((name) => [name, false]),
            ...Object.keys(manifest.peerDependencies ?? {}).filter((name) => !optionalPeers.has(name)).map((name) => [name, false])
        ];
        for (const [name, required] of wanted) {
            if (excludedPackage(name)) continue;
            const resolved = resolvePackage(name, dir, root);
            if (resolved == null) {
                if (required) throw new Error(`${name}, a dependency of ${path.relative(root, dir) || "reer"}, is not installed`);
                continue;
            }
            const rel = path.relative(root, resolved);
            if (found.has(rel)) continue;
            found.set(rel, name);
            visit(resolved);
        }
    };
    visit(root);
    return [...found.keys()].sort();
}

/** Every file and link under dir (relative paths), skipping folders for which skipDir(rel) is true. */
function walk(dir, skipDir = () => false, rel = "") {
    const out = [];
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) {
            if (!skipDir(child)) out.push(...walk(dir, skipDir, child));
        } else if (entry.isFile() || entry.isSymbolicLink()) out.push(child);
    }
    return out;
}

/**
 * The app folder as a list of entries, sorted by dest (a path under app/):
 * { dest, source } (a file to copy), { dest, content } (a file to write), { dest, link }.
 * benchDir: tsc's output for tsconfig.bench.json; without it the compiled bench scripts are
 * listed under the names tsc will give them.
 */
export function packEntries({ root = repoRoot, benchDir } = {}) {
    const entries = [];
    const addTree = (srcRel, destRel, { skipDir, keep = () => true } = {}) => {
        const src = path.join(root, srcRel);
        if (!existsSync(src)) throw new Error(`${srcRel} is missing`);
        for (const rel of walk(src, skipDir))
            if (keep(rel)) entries.push({ dest: `${destRel}/${rel}`, source: path.join(src, rel) });
    };
    const addFile = (rel) => entries.push({ dest: rel, source: path.join(root, rel) });

    addFile("package.json");
    if (existsSync(path.join(root, "dist"))) addTree("dist", "dist", { keep: (rel) => !/\.d\.ts$/.test(rel) });
    else entries.push({ dest: "dist/", missing: "not built yet (pack.sh runs npm run build)" });
    entries.push({ dest: "src", link: "dist" });
    addTree("native", "native");
    addTree("prompts", "prompts");
    addFile("examples/pairs.jsonl");
    addFile("scripts/build-native.mjs");
    addTree("scripts/native", "scripts/native", { keep: (rel) => rel.endsWith(".mjs") && !rel.endsWith(".d.mts") });
    addTree("scripts/gpu-check", "scripts/gpu-check", { keep: (rel) => rel.endsWith(".mjs") });
    for (const ts of benchSources(root)) {
        const js = ts.replace(/\.ts$/, ".js");
        entries.push(benchDir == null ? { dest: js, missing: "compiled by pack.sh (tsconfig.bench.json)" } : { dest: js, source: path.join(benchDir, js) });
    }

    const packages = productionPackages(root);
    for (const pkg of packages) {
        // Nested node_modules hold packages of their own, each listed when something needs it.
        const skipNested = (rel) => rel === "node_modules" || rel.endsWith("/node_modules");
        if (path.basename(pkg) === "node-llama-cpp" && !pkg.includes("/node_modules/node-llama-cpp/node_modules")) {
            addNodeLlamaCpp(root, pkg, entries, skipNested);
            continue;
        }
        addTree(pkg, pkg, { skipDir: skipNested, keep: (rel) => !unneededModuleFile(rel) });
    }
    // The command links npm would make (node-llama-cpp's build runs cmake-js through one).
    const binDir = path.join(root, "node_modules", ".bin");
    if (existsSync(binDir))
        for (const name of readdirSync(binDir)) {
            const full = path.join(binDir, name);
            if (!lstatSync(full).isSymbolicLink()) continue;
            const link = readlinkSync(full);
            const target = path.relative(root, path.resolve(binDir, link));
            if (packages.some((pkg) => target.startsWith(`${pkg}/`))) entries.push({ dest: `node_modules/.bin/${name}`, link });
        }
    return entries.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
}

/** The bench scripts and what they import from scripts/ (relative .ts paths). */
export function benchSources(root = repoRoot) {
    const scripts = readdirSync(path.join(root, "scripts")).filter((name) => /^bench-.*\.ts$/.test(name)).map((name) => `scripts/${name}`);
    const folders = ["bench-model", "gguf"].flatMap((folder) =>
        readdirSync(path.join(root, "scripts", folder)).filter((name) => name.endsWith(".ts")).map((name) => `scripts/${folder}/${name}`));
    return [...scripts, ...folders].sort();
}

function addNodeLlamaCpp(root, pkg, entries, skipNested) {
    const pkgDir = path.join(root, pkg);
    const llama = path.join(pkgDir, "llama");
    const pristineAddon = path.join(llama, ".reer-pristine-addon");
    const pristineLlamaCpp = path.join(llama, ".reer-pristine-llama.cpp");
    const skipDir = (rel) => skipNested(rel) ||
        ["llama/localBuilds", "llama/llama.cpp", "llama/addon", "llama/.reer-pristine-addon", "llama/.reer-pristine-llama.cpp"].includes(rel);
    for (const rel of walk(pkgDir, skipDir)) {
        if (unneededModuleFile(rel) || rel === "llama/gitRelease.bundle" || rel === "llama/lastBuild.json") continue;
        entries.push({ dest: `${pkg}/${rel}`, source: path.join(pkgDir, rel) });
    }
    // The addon's sources as node-llama-cpp shipped them (the native build keeps that copy while they are patched).
    const addonDir = existsSync(pristineAddon) ? pristineAddon : path.join(llama, "addon");
    for (const rel of walk(addonDir)) entries.push({ dest: `${pkg}/llama/addon/${rel}`, source: path.join(addonDir, rel) });

    const clone = path.join(llama, "llama.cpp");
    if (!existsSync(path.join(clone, "CMakeLists.txt")))
        throw new Error(`${pkg}/llama/llama.cpp is not there: run \`npm run build:native\` (it clones llama.cpp from node-llama-cpp's git bundle)`);
    const pristine = new Set(existsSync(pristineLlamaCpp) ? walk(pristineLlamaCpp) : []);
    const skipClone = (rel) => rel === ".git" || (!rel.includes("/") && !llamaCppTopLevel.has(rel) && rel !== "models");
    for (const rel of walk(clone, skipClone)) {
        if (!keepLlamaCppFile(rel)) continue;
        const source = pristine.has(rel) ? path.join(pristineLlamaCpp, rel) : path.join(clone, rel);
        entries.push({ dest: `${pkg}/llama/llama.cpp/${rel}`, source });
    }
    entries.push({ dest: `${pkg}/llama/llama.cpp/${llamaCppGitMarker.rel}`, content: llamaCppGitMarker.content });
}

/** Copies the entries into dir/app. */
export function stage(entries, dir) {
    const app = path.join(dir, "app");
    for (const entry of entries) {
        if (entry.missing != null) throw new Error(`${entry.dest}: ${entry.missing}`);
        const dest = path.join(app, entry.dest);
        mkdirSync(path.dirname(dest), { recursive: true });
        if (entry.link != null) symlinkSync(entry.link, dest);
        else if (entry.content != null) writeFileSync(dest, entry.content);
        else if (lstatSync(entry.source).isSymbolicLink()) symlinkSync(readlinkSync(entry.source), dest);
        else cpSync(entry.source, dest, { preserveTimestamps: true });
    }
}

function main(argv) {
    const value = (flag) => {
        const index = argv.indexOf(flag);
        return index >= 0 ? argv[index + 1] : undefined;
    };
    const benchDir = value("--bench-dir");
    const entries = packEntries({ benchDir: benchDir == null ? undefined : path.resolve(benchDir) });
    if (argv.includes("--list")) {
        const describe = (entry) => entry.link != null ? ` -> ${entry.link}` : entry.content != null ? " (written)" : entry.missing != null ? ` (${entry.missing})` : "";
        process.stdout.write(entries.map((entry) => `app/${entry.dest}${describe(entry)}\n`).join(""));
        return;
    }
    const stageDir = value("--stage");
    if (stageDir == null) {
        console.error("usage: packList.mjs --list [--bench-dir DIR] | --stage DIR --bench-dir DIR");
        process.exit(2);
    }
    stage(entries, path.resolve(stageDir));
    console.error(`staged ${entries.length} entries in ${path.join(stageDir, "app")}`);
}

if (process.argv[1] != null && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
