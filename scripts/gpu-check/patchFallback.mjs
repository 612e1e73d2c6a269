#!/usr/bin/env node
// A stand-in for GNU patch, for a machine without it: reer's native build applies native/*.patch
// with `patch -p1 --batch --fuzz=0 --no-backup-if-mismatch -d DIR -i FILE --forward|--reverse
// [--dry-run]`, and that is all this understands. Hunks must match exactly (fuzz 0), anywhere
// in the file (the nearest place to where the hunk says wins, as with GNU patch); a patch that
// does not apply, or is already applied when applied --forward, exits 1 and changes nothing.
// Only run.sh puts it on PATH as `patch`, and only when there is no patch command.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const usage = (why) => {
    console.error(`patch (reer GPU check stand-in): ${why}`);
    process.exit(2);
};

let strip = 0;
let dir = ".";
let patchFile;
let reverse = false;
let dryRun = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (/^-p\d+$/.test(arg)) strip = Number(arg.slice(2));
    else if (arg === "-d") dir = argv[++i];
    else if (arg === "-i") patchFile = argv[++i];
    else if (arg === "--reverse" || arg === "-R") reverse = true;
    else if (arg === "--dry-run") dryRun = true;
    else if (["--batch", "--forward", "-N", "--fuzz=0", "--no-backup-if-mismatch", "-s", "--silent", "--quiet"].includes(arg)) continue;
    else usage(`unsupported argument ${arg}`);
}
if (patchFile == null) usage("-i FILE is required");

/** [{ file, hunks: [{ oldStart, oldLines, newLines }] }] from a unified diff. */
function parsePatch(text) {
    const lines = text.split("\n");
    const files = [];
    for (let i = 0; i < lines.length; i++) {
        if (!lines[i].startsWith("--- ") || !lines[i + 1]?.startsWith("+++ ")) continue;
        const target = lines[i + 1].slice(4).split("\t")[0].trim();
        if (target === "/dev/null" || lines[i].slice(4).split("\t")[0].trim() === "/dev/null") usage("creating or deleting files is not supported");
        const file = { file: target.split("/").slice(strip).join("/"), hunks: [] };
        i += 2;
        while (i < lines.length && lines[i].startsWith("@@ ")) {
            const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]);
            if (header == null) usage(`bad hunk header: ${lines[i]}`);
            let oldCount = header[2] == null ? 1 : Number(header[2]);
            let newCount = header[4] == null ? 1 : Number(header[4]);
            const hunk = { oldStart: Number(header[1]), oldLines: [], newLines: [] };
            i++;
            while (oldCount > 0 || newCount > 0) {
                const line = lines[i] ?? usage("the patch ends inside a hunk");
                if (line.startsWith("\\")) usage("\"No newline at end of file\" is not supported");
                const body = line.slice(1);
                if (line.startsWith(" ") || line === "") {
                    hunk.oldLines.push(body);
                    hunk.newLines.push(body);
                    oldCount--;
                    newCount--;
                } else if (line.startsWith("-")) {
                    hunk.oldLines.push(body);
                    oldCount--;
                } else if (line.startsWith("+")) {
                    hunk.newLines.push(body);
                    newCount--;
                } else usage(`unexpected line in a hunk: ${line}`);
                i++;
            }
            file.hunks.push(hunk);
        }
        i--;
        files.push(file);
    }
    if (files.length === 0) usage(`${patchFile} holds no unified diff`);
    return files;
}

const matchesAt = (lines, at, wanted) => at >= 0 && at + wanted.length <= lines.length && wanted.every((line, k) => lines[at + k] === line);

function applyHunks(lines, hunks) {
    let offset = 0;
    const out = [...lines];
    for (const [index, hunk] of hunks.entries()) {
        const [from, to] = reverse ? [hunk.newLines, hunk.oldLines] : [hunk.oldLines, hunk.newLines];
        const expected = Math.max(0, hunk.oldStart - 1 + offset);
        let at = -1;
        for (let distance = 0; distance <= out.length; distance++) {
            if (matchesAt(out, expected - distance, from)) { at = expected - distance; break; }
            if (matchesAt(out, expected + distance, from)) { at = expected + distance; break; }
        }
        if (at === -1) return { ok: false, failed: index + 1 };
        out.splice(at, from.length, ...to);
        offset = at - (hunk.oldStart - 1) + to.length - from.length;
    }
    return { ok: true, lines: out };
}

const results = [];
let failed = false;
for (const file of parsePatch(readFileSync(patchFile, "utf8"))) {
    const target = path.join(dir, file.file);
    console.log(`${dryRun ? "checking" : "patching"} file ${file.file}`);
    if (!existsSync(target)) {
        console.log(`can't find file to patch: ${file.file}`);
        failed = true;
        continue;
    }
    const text = readFileSync(target, "utf8");
    const finalNewline = text.endsWith("\n");
    const lines = text.split("\n");
    if (finalNewline) lines.pop();
    const applied = applyHunks(lines, file.hunks);
    if (!applied.ok) {
        console.log(`Hunk #${applied.failed} FAILED (${reverse ? "reverse" : "forward"}, no fuzz) in ${file.file}`);
        failed = true;
        continue;
    }
    results.push([target, applied.lines.join("\n") + (finalNewline ? "\n" : "")]);
}
if (failed) process.exit(1);
if (!dryRun) for (const [target, text] of results) writeFileSync(target, text);
