// What every command does with its output path: never the input, never a half-written
// file in place of a good one, never a stack trace. Each case compares the bytes of the
// inputs and of any earlier output before and after.
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mountSmallDisk } from "../files/smallDisk.js";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli, type CliResult } from "../support/runCli.js";
import { requireAsset, stories260kPath, tinyStories656kPath } from "../support/sharedAssets.js";
import { doneRecord, skippedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-outputs-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs().slice(0, 4);
const scoreFlags = ["--model", model, "--template", "none", "--threads", "1"];
const synthFlags = [...scoreFlags, "--generator-template", "none", "--preset", "paper", "--max-tokens", "40", "--max-steps", "1", "--candidates", "1", "--min-thinking-tokens", "10"];
const small = mountSmallDisk();
afterAll(() => small.disk?.unmount());

function write(folder: string, name: string, content: string): string {
    const file = path.join(folder, name);
    writeFileSync(file, content);
    return file;
}
const jsonl = (records: unknown[]): string => records.map((record) => JSON.stringify(record) + "\n").join("");

/** A pairs input and a trace of the same items (three done, one skipped) in `folder`. */
function fixtures(folder: string): { input: string; trace: string } {
    mkdirSync(folder, { recursive: true });
    const input = write(folder, "pairs.jsonl", jsonl(pairs.map(({ id, prompt, response }) => ({ id, prompt, response }))));
    const trace = write(folder, "trace.jsonl", jsonl(pairs.map(({ id, prompt, response }, i) =>
        i < 3 ? doneRecord({ id, key: id, x: prompt, y: response }) : skippedRecord({ id, key: id, x: prompt, y: response }))));
    return { input, trace };
}

/** Every file under `folder` with its bytes, to compare before and after a command. */
function snapshot(folder: string): Record<string, string> {
    const files: Record<string, string> = {};
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
        if (entry.isFile() || entry.isSymbolicLink()) {
            const file = path.join(entry.parentPath, entry.name);
            files[path.relative(folder, file)] = entry.isSymbolicLink() ? `-> ${readFileSync(file, "base64")}` : readFileSync(file, "base64");
        }
    }
    return files;
}

/** A refusal is one `reer:` paragraph on stderr, never a stack trace. */
function expectRefused(result: CliResult, code: number, ...words: RegExp[]): void {
    const said = `stderr: ${result.stderr}`;
    expect(result.signal, said).toBeNull();
    expect(result.stderr, said).toMatch(/^reer: /mu);
    expect(result.stderr, said).not.toMatch(/^\s+at /mu);
    expect(result.stderr, said).not.toContain("internal error");
    for (const word of words)
        expect(result.stderr, said).toMatch(word);
    expect(result.code, said).toBe(code);
}

describe("an output that is one of the inputs", () => {
    it("is refused by every command before anything is read or written, under any spelling", async () => {
        const folder = path.join(dir, "same");
        const { input, trace } = fixtures(folder);
        symlinkSync(input, path.join(folder, "pairs-link.jsonl"));
        linkSync(trace, path.join(folder, "trace-hardlink.jsonl"));
        const before = snapshot(folder);
        const cases: [string[], RegExp][] = [
            [["score", input, "-o", input, ...scoreFlags], /-o .*pairs\.jsonl is also the input; writing it would destroy the input/u],
            [["score", input, "-o", path.join(folder, "pairs-link.jsonl"), ...scoreFlags], /is the same file as the input .*destroy the input/u],
            [["report", trace, "-o", path.relative(process.cwd(), trace)], /is also the input; writing it would destroy the input/u],
            [["merge", input, trace, "-o", trace], /is also the input; writing it would destroy the input/u],
            [["synthesize", input, "-o", input, ...synthFlags], /is also the input; writing it would destroy the input/u],
            [["curate", trace, "-o", path.join(folder, "trace-hardlink.jsonl")], /is the same file as the input .*destroy the input/u],
            [["curate", trace, "-o", path.join(folder, "kept.jsonl"), "--rejected", path.join(folder, "..", "same", "kept.jsonl")], /-o and --rejected both name/u]
        ];
        const results = await Promise.all(cases.map(([args]) => runCli(args)));
        results.forEach((result, i) => {
            expectRefused(result, 2, cases[i]![1]);
            expect(result.stderr).not.toContain("not a reer trace record");
        });
        expect(snapshot(folder)).toEqual(before);
    });
});

describe("an input that fails", () => {
    it("curate on a file that is not a trace creates no output and leaves an earlier one as it was", async () => {
        const folder = path.join(dir, "not-a-trace");
        const { input } = fixtures(folder);
        write(folder, "kept.jsonl", "earlier output\n");
        const before = snapshot(folder);
        const result = await runCli(["curate", input, "-o", path.join(folder, "kept.jsonl"), "--rejected", path.join(folder, "dropped.jsonl")]);
        expectRefused(result, 1, /line 1: not a reer trace record/u);
        expect(snapshot(folder)).toEqual(before);
    });

    it("score that fails at line 4 leaves the earlier -o as it was", async () => {
        const folder = path.join(dir, "score-fails");
        mkdirSync(folder);
        const records = [...pairs.slice(0, 3).map(({ id, prompt, response }) => ({ id, prompt, response })),
            { id: "odd", prompt: "Write a story (short).", response: "Once upon a time\u2014a fox." }];
        const input = write(folder, "pairs.jsonl", jsonl(records));
        write(folder, "scores.jsonl", "{\"id\":\"earlier\"}\n");
        const before = snapshot(folder);
        const result = await runCli(["score", input, "-o", path.join(folder, "scores.jsonl"), "--model", requireAsset(tinyStories656kPath), "--template", "none", "--threads", "1"]);
        expectRefused(result, 1, /line 4 \(id odd\)/u, /scores\.jsonl was not changed/u);
        expect(snapshot(folder)).toEqual(before);
    });
});

describe("an output's folder", () => {
    it("is created when missing", async () => {
        const folder = path.join(dir, "missing-folders");
        const { input, trace } = fixtures(folder);
        const out = (name: string) => path.join(folder, "new", name, "out");
        const results = await Promise.all([
            runCli(["curate", trace, "-o", `${out("curate")}.jsonl`, "--rejected", `${out("curate-rejected")}.jsonl`]),
            runCli(["export", trace, "-o", `${out("export")}.parquet`]),
            runCli(["score", input, "-o", `${out("score")}.jsonl`, ...scoreFlags])
        ]);
        for (const result of results)
            expect(result.code, result.stderr).toBe(0);
        const lines = (file: string) => readFileSync(file, "utf8").split("\n").filter(Boolean).length;
        expect(lines(`${out("curate")}.jsonl`) + lines(`${out("curate-rejected")}.jsonl`)).toBe(4);
        expect(readFileSync(`${out("export")}.parquet`).subarray(0, 4).toString()).toBe("PAR1");
        expect(lines(`${out("score")}.jsonl`)).toBe(4);
        expect(readdirSync(folder, { recursive: true }).filter((name) => String(name).includes(".tmp-"))).toEqual([]);
    });

    it("given as the output itself is refused with one line", async () => {
        const folder = path.join(dir, "folder-as-output");
        const { input, trace } = fixtures(folder);
        const target = path.join(folder, "out");
        mkdirSync(target);
        const before = snapshot(folder);
        const cases: string[][] = [
            ["synthesize", input, "-o", target, ...synthFlags],
            ["score", input, "-o", target, ...scoreFlags],
            ["curate", trace, "-o", target],
            ["export", trace, "-o", target]
        ];
        const results = await Promise.all(cases.map((args) => runCli(args)));
        for (const result of results) {
            expectRefused(result, 2, /-o .*out is a folder/u);
            expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
        }
        expect(snapshot(folder)).toEqual(before);
    });
});

describe(`a full disk${small.skipReason == null ? "" : ` (${small.skipReason})`}`, () => {
    const fullDiskIt = small.disk == null ? it.skip : it;

    fullDiskIt("fails curate, Parquet export and score with a one-line ENOSPC message, leaving the earlier outputs and no temporary files", async () => {
        const disk = small.disk!;
        disk.clear();
        const folder = path.join(dir, "full-disk");
        const { input, trace } = fixtures(folder);
        const earlier = (name: string) => write(disk.dir, name, `earlier ${name}\n`);
        const outputs = ["kept.jsonl", "dropped.jsonl", "train.parquet", "scores.jsonl"].map(earlier);
        disk.fill();
        const before = snapshot(disk.dir);
        const [kept, dropped, parquet, scores] = outputs as [string, string, string, string];
        const results = await Promise.all([
            runCli(["curate", trace, "-o", kept, "--rejected", dropped]),
            runCli(["export", trace, "-o", parquet]),
            runCli(["score", input, "-o", scores, ...scoreFlags])
        ]);
        for (const result of results) {
            expectRefused(result, 1, /Cannot write .*: no space left on the device \(ENOSPC\)/u, /was left as it was/u);
            expect(result.stderr.split("\n").filter((line) => line.startsWith("reer: "))).toHaveLength(1);
        }
        expect(snapshot(disk.dir)).toEqual(before);
        disk.clear();
    });
});
