// node-llama-cpp's addon sources (llama/addon inside its package) as reer sees them:
// a pristine copy, the patched tree staged in a temporary folder, and the swap between
// them. The real tree is only ever written whole (installTree/restorePristine), so it is
// either pristine or fully patched, never half-patched.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const addonRelDir = "llama/addon";
/** Keeps the pristine sources between runs, next to the tree it was taken from. */
export const pristineRelDir = "llama/.reer-pristine-addon";
export const versionHeaderName = "ReerNativeVersion.h";

/** reer's own files in the addon folder all start with "Reer"; node-llama-cpp has none. */
export const isReerFile = (relPath) => path.posix.basename(relPath).startsWith("Reer");

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

/** Makes dir hold exactly `files`; unchanged files are not rewritten, so their mtimes stay. */
export function syncTree(dir, files) {
    const current = existsSync(dir) ? readTree(dir) : new Map();
    for (const rel of current.keys())
        if (!files.has(rel)) rmSync(path.join(dir, rel));
    for (const [rel, content] of files) {
        if (current.get(rel)?.equals(content)) continue;
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), content);
    }
}

/** A scratch copy laid out like the package (llama/addon/...), so patches apply with -p1. */
function withScratch(files, use) {
    const root = mkdtempSync(path.join(os.tmpdir(), "reer-addon-"));
    try {
        syncTree(path.join(root, addonRelDir), files);
        return use(root, () => readTree(path.join(root, addonRelDir)));
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

/** Every path a patch writes must lie inside the addon folder, which is all reer restores. */
function outsideAddon(patchFile) {
    return readFileSync(patchFile, "utf8").split("\n")
        .filter((line) => line.startsWith("+++ "))
        .map((line) => line.slice(4).split("\t")[0].trim().split("/").slice(1).join("/"))
        .filter((rel) => !rel.startsWith(`${addonRelDir}/`));
}

/**
 * The pristine addon sources: the saved copy when there is one, else the current tree with
 * reer's files removed and every already-applied patch reversed (dry-run detection).
 * A patch that neither applies nor reverses is left to the patch step to report, unless
 * the tree shows reer's work: then its pristine state is unknown and nothing is touched.
 * Returns { ok: true, files, source } or { ok: false, detail }.
 */
export function loadPristine(packageDir, patchFiles, log = () => {}) {
    const saved = path.join(packageDir, pristineRelDir);
    if (existsSync(saved)) return { ok: true, files: readTree(saved), source: "saved copy" };
    const all = readTree(path.join(packageDir, addonRelDir));
    const reerFiles = [...all.keys()].filter(isReerFile);
    const current = new Map([...all].filter(([rel]) => !isReerFile(rel)));
    return withScratch(current, (root, read) => {
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
            if (!undone.ok) return { ok: false, detail: `reversing ${name} failed: ${undone.output}` };
            reversed++;
        }
        if (unknown.length > 0 && (reerFiles.length > 0 || reversed > 0))
            return {
                ok: false,
                detail: `node-llama-cpp's addon sources hold reer's changes from another version (${reerFiles.join(", ") || "patched files"}), ` +
                    `and ${unknown.join(", ")} neither applies nor reverses, so their pristine state is unknown`
            };
        return { ok: true, files: read(), source: reversed > 0 ? `current tree with ${reversed} patch(es) reversed` : "current tree" };
    });
}

/** Saved before the real tree is touched, so an interrupted run can still restore it. */
export function savePristine(packageDir, files) {
    const saved = path.join(packageDir, pristineRelDir);
    if (existsSync(saved)) return;
    const partial = `${saved}.partial`;
    rmSync(partial, { recursive: true, force: true });
    syncTree(partial, files);
    renameSync(partial, saved);
}

/**
 * The patched tree, built in a scratch folder from the pristine one: every patch is
 * dry-run before it is applied, and all failures are collected, not just the first.
 * Returns { ok: true, files } or { ok: false, detail }.
 */
export function stagePatchedTree(pristine, { nativeDir, patchFiles, addonSources, version }) {
    return withScratch(pristine, (root, read) => {
        // Only files named Reer* are recognised (and removed) as reer's when the pristine tree is recovered.
        const failures = addonSources.filter((file) => !isReerFile(file)).map((file) => `native/${file} must be named Reer*`);
        for (const patchFile of patchFiles) {
            const name = path.basename(patchFile);
            const outside = outsideAddon(patchFile);
            if (outside.length > 0) {
                failures.push(`${name} writes outside ${addonRelDir}: ${outside.join(", ")}`);
                continue;
            }
            const dryRun = runPatch(root, patchFile, { dryRun: true });
            if (!dryRun.ok) {
                failures.push(`${name} does not apply:\n${indent(dryRun.output)}`);
                continue;
            }
            const applied = runPatch(root, patchFile);
            if (!applied.ok) failures.push(`${name} passed its dry run but failed to apply:\n${indent(applied.output)}`);
        }
        if (failures.length > 0) return { ok: false, detail: failures.join("\n") };
        const addonDir = path.join(root, addonRelDir);
        for (const file of addonSources) cpSync(path.join(nativeDir, file), path.join(addonDir, file));
        writeFileSync(path.join(addonDir, versionHeaderName), versionHeader(version));
        return { ok: true, files: read() };
    });
}

export function versionHeader(version) {
    return `// Generated by reer's scripts/build-native.mjs from native/; do not edit.\n#pragma once\n#define REER_NATIVE_VERSION "${version}"\n`;
}

export function installTree(packageDir, files) {
    syncTree(path.join(packageDir, addonRelDir), files);
}

/** Puts the pristine sources back and drops the saved copy, which is then redundant. */
export function restorePristine(packageDir, pristine) {
    syncTree(path.join(packageDir, addonRelDir), pristine);
    rmSync(path.join(packageDir, pristineRelDir), { recursive: true, force: true });
}

const indent = (text) => text.split("\n").map((line) => `    ${line}`).join("\n");
