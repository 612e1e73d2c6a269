// The node-llama-cpp sources reer patches, as reer sees them: node-llama-cpp's addon
// (llama/addon, managed whole: reer adds files there) and the llama.cpp clone (llama/llama.cpp,
// managed file by file: only the files reer's patches change). For each: a pristine copy, the
// patched version staged in a temporary folder, and the swap between them. The real files are
// only ever written as a set (installTree/restorePristine), so each tree is either pristine or
// fully patched, never half-patched.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * relDir: the tree inside the package; pristineRelDir: where its pristine copy is kept between
 * runs, next to it; whole: the tree is read, staged and synced as a whole (files reer adds and
 * removes included), else only the files its patches name.
 */
export const addonTree = { name: "addon", relDir: "llama/addon", pristineRelDir: "llama/.reer-pristine-addon", whole: true };
export const llamaCppTree = { name: "llama.cpp", relDir: "llama/llama.cpp", pristineRelDir: "llama/.reer-pristine-llama.cpp", whole: false };
export const sourceTrees = [addonTree, llamaCppTree];
export const addonRelDir = addonTree.relDir;
export const pristineRelDir = addonTree.pristineRelDir;
export const versionHeaderName = "ReerNativeVersion.h";

/** reer's own files in the addon folder all start with "Reer"; node-llama-cpp has none. */
export const isReerFile = (relPath) => path.posix.basename(relPath).startsWith("Reer");

/** Every file under dir (relative path -> bytes). */
export function readTree(dir) {
    const files = new Map();
    const walk = (rel) => {
        for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
            const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
            if (entry.isDirectory()) walk(child);
            else if (entry.isFile()) files.set(child, readFileSync(path.join(dir, child)));
        }
    };
    walk("");
    return files;
}

/** The files `rels` under dir that exist (relative path -> bytes). */
function readFiles(dir, rels) {
    return new Map(rels.filter((rel) => existsSync(path.join(dir, rel))).map((rel) => [rel, readFileSync(path.join(dir, rel))]));
}

/**
 * Makes dir hold `files`: with whole, exactly them (others removed), else only those files are
 * written. Unchanged files are not rewritten, so their mtimes stay (a rebuild recompiles only
 * what changed).
 */
export function syncTree(dir, files, whole = true) {
    const current = whole ? (existsSync(dir) ? readTree(dir) : new Map()) : readFiles(dir, [...files.keys()]);
    if (whole)
        for (const rel of current.keys())
            if (!files.has(rel)) rmSync(path.join(dir, rel));
    for (const [rel, content] of files) {
        if (current.get(rel)?.equals(content)) continue;
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), content);
    }
}

/** A scratch copy of one tree's files laid out like the package (llama/addon/..., llama/llama.cpp/...), so patches apply with -p1. */
function withScratch(tree, files, use) {
    const root = mkdtempSync(path.join(os.tmpdir(), "reer-sources-"));
    try {
        const dir = path.join(root, tree.relDir);
        syncTree(dir, files);
        return use(root, () => (tree.whole ? readTree(dir) : readFiles(dir, [...files.keys()])));
    } finally {
        rmSync(root, { recursive: true, force: true });
    }
}

// No fuzz: a hunk whose context lines differ was written for other sources.
function runPatch(root, patchFile, { reverse = false, dryRun = false } = {}) {
    const args = ["-p1", "--batch", "--fuzz=0", "--no-backup-if-mismatch", "-d", root, "-i", patchFile,
        reverse ? "--reverse" : "--forward", ...(dryRun ? ["--dry-run"] : [])];
    const result = spawnSync("patch", args, { encoding: "utf8" });
    if (result.error != null)
        return { ok: false, output: `could not run \`patch\` (${result.error.message}); install GNU patch` };
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The package-relative paths a patch writes (its "+++ b/..." lines without the first component). */
export function patchTargets(patchFile) {
    return readFileSync(patchFile, "utf8").split("\n")
        .filter((line) => line.startsWith("+++ "))
        .map((line) => line.slice(4).split("\t")[0].trim().split("/").slice(1).join("/"));
}

/**
 * Sorts patches by the tree they change: { byTree: Map(tree -> patch files), problems: [why] }.
 * A patch must stay inside one tree, the only places reer restores.
 */
export function sortPatches(patchFiles) {
    const byTree = new Map(sourceTrees.map((tree) => [tree, []]));
    const problems = [];
    for (const patchFile of patchFiles) {
        const targets = patchTargets(patchFile);
        const tree = sourceTrees.find((candidate) => targets.length > 0 && targets.every((rel) => rel.startsWith(`${candidate.relDir}/`)));
        if (tree == null) {
            const outside = targets.filter((rel) => !sourceTrees.some((candidate) => rel.startsWith(`${candidate.relDir}/`)));
            problems.push(`${path.basename(patchFile)} ${outside.length > 0
                ? `writes outside ${sourceTrees.map((candidate) => candidate.relDir).join(" and ")}: ${outside.join(", ")}`
                : "changes more than one of llama/addon and llama/llama.cpp (split it)"}`);
            continue;
        }
        byTree.get(tree).push(patchFile);
    }
    return { byTree, problems };
}

/** The tree-relative paths a file-by-file tree manages: those its patches change, plus those a saved pristine copy holds. */
function managedFiles(tree, packageDir, patchFiles) {
    const rels = new Set(patchFiles.flatMap(patchTargets).map((rel) => rel.slice(tree.relDir.length + 1)));
    const saved = path.join(packageDir, tree.pristineRelDir);
    if (existsSync(saved)) for (const rel of readTree(saved).keys()) rels.add(rel);
    return [...rels].sort();
}

/**
 * The pristine sources of one tree: the saved copy when there is one, else the current files
 * with reer's files removed and every already-applied patch reversed (dry-run detection).
 * A patch that neither applies nor reverses is left to the patch step to report, unless the
 * tree shows reer's work: then its pristine state is unknown and nothing is touched.
 * Returns { ok: true, files, source } or { ok: false, stage, detail }.
 */
export function loadPristine(packageDir, patchFiles, log = () => {}, tree = addonTree) {
    const dir = path.join(packageDir, tree.relDir);
    const saved = path.join(packageDir, tree.pristineRelDir);
    let all;
    let fromSaved = new Map();
    if (tree.whole) {
        if (existsSync(saved)) return { ok: true, files: readTree(saved), source: "saved copy" };
        all = readTree(dir);
    } else {
        const rels = managedFiles(tree, packageDir, patchFiles);
        const missing = rels.filter((rel) => !existsSync(path.join(dir, rel)));
        if (missing.length > 0)
            return { ok: false, stage: "patch", detail: `patches may only change files that exist in ${tree.relDir}; missing: ${missing.join(", ")}` };
        if (existsSync(saved)) fromSaved = readTree(saved);
        // Files a saved copy holds are pristine as saved; the others were never patched by reer.
        if (rels.every((rel) => fromSaved.has(rel))) return { ok: true, files: readFiles(saved, rels), source: "saved copy" };
        all = new Map(rels.map((rel) => [rel, fromSaved.get(rel) ?? readFileSync(path.join(dir, rel))]));
    }
    const reerFiles = [...all.keys()].filter(isReerFile);
    const current = new Map([...all].filter(([rel]) => !isReerFile(rel)));
    return withScratch(tree, current, (root, read) => {
        let reversed = 0;
        const unknown = [];
        for (const patchFile of [...patchFiles].reverse()) {
            const name = path.basename(patchFile);
            if (runPatch(root, patchFile, { dryRun: true }).ok) continue;
            if (!runPatch(root, patchFile, { reverse: true, dryRun: true }).ok) {
                unknown.push(name);
                continue;
            }
            log(`${name} is already applied; reversing it to recover the pristine sources`);
            const undone = runPatch(root, patchFile, { reverse: true });
            if (!undone.ok) return { ok: false, stage: "sources", detail: `reversing ${name} failed: ${undone.output}` };
            reversed++;
        }
        if (unknown.length > 0 && (reerFiles.length > 0 || reversed > 0))
            return {
                ok: false,
                stage: "sources",
                detail: `node-llama-cpp's ${tree.name} sources hold reer's changes from another version (${reerFiles.join(", ") || "patched files"}), ` +
                    `and ${unknown.join(", ")} neither applies nor reverses, so their pristine state is unknown`
            };
        const source = fromSaved.size > 0 ? "saved copy and current tree" : "current tree";
        return { ok: true, files: read(), source: reversed > 0 ? `${source} with ${reversed} patch(es) reversed` : source };
    });
}

/** Saved before the real tree is touched, so an interrupted run can still restore it. */
export function savePristine(packageDir, files, tree = addonTree) {
    const saved = path.join(packageDir, tree.pristineRelDir);
    // A whole tree's copy never changes; a file-by-file tree's gains the files new patches name.
    if (existsSync(saved) && (tree.whole || [...files].every(([rel, content]) => existsSync(path.join(saved, rel)) && readFileSync(path.join(saved, rel)).equals(content))))
        return;
    const partial = `${saved}.partial`;
    rmSync(partial, { recursive: true, force: true });
    syncTree(partial, files);
    rmSync(saved, { recursive: true, force: true });
    renameSync(partial, saved);
}

/**
 * One tree patched, built in a scratch folder from its pristine files: every patch is dry-run
 * before it is applied, and all failures are collected, not just the first. For the addon tree,
 * addonSources (native/*.cpp, *.h) are copied in and the version header written.
 * Returns { ok: true, files } or { ok: false, detail }.
 */
export function stagePatchedTree(pristine, { nativeDir, patchFiles, addonSources = [], version, tree = addonTree }) {
    return withScratch(tree, pristine, (root, read) => {
        // Only files named Reer* are recognised (and removed) as reer's when the pristine tree is recovered.
        const failures = addonSources.filter((file) => !isReerFile(file)).map((file) => `native/${file} must be named Reer*`);
        for (const patchFile of patchFiles) {
            const name = path.basename(patchFile);
            const dryRun = runPatch(root, patchFile, { dryRun: true });
            if (!dryRun.ok) {
                failures.push(`${name} does not apply:\n${indent(dryRun.output)}`);
                continue;
            }
            const applied = runPatch(root, patchFile);
            if (!applied.ok) failures.push(`${name} passed its dry run but failed to apply:\n${indent(applied.output)}`);
        }
        if (failures.length > 0) return { ok: false, detail: failures.join("\n") };
        if (tree === addonTree) {
            const addonDir = path.join(root, tree.relDir);
            for (const file of addonSources) cpSync(path.join(nativeDir, file), path.join(addonDir, file));
            writeFileSync(path.join(addonDir, versionHeaderName), versionHeader(version));
        }
        return { ok: true, files: read() };
    });
}

export function versionHeader(version) {
    return `// Generated by reer's scripts/build-native.mjs from native/; do not edit.\n#pragma once\n#define REER_NATIVE_VERSION "${version}"\n`;
}

export function installTree(packageDir, files, tree = addonTree) {
    syncTree(path.join(packageDir, tree.relDir), files, tree.whole);
}

/** Puts the pristine sources back and drops the saved copy, which is then redundant. */
export function restorePristine(packageDir, pristine, tree = addonTree) {
    syncTree(path.join(packageDir, tree.relDir), pristine, tree.whole);
    rmSync(path.join(packageDir, tree.pristineRelDir), { recursive: true, force: true });
}

const indent = (text) => text.split("\n").map((line) => `    ${line}`).join("\n");
