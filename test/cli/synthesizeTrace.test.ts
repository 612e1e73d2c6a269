// synthesize appends to its trace, so it cannot write a temporary file and rename it: it
// holds <trace>.lock while it appends, and a failed append stops the run, leaving whole
// lines only.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { traceRecordSchema } from "../../src/trace/traceRecordSchema.js";
import { mountSmallDisk } from "../files/smallDisk.js";
import { deadPid } from "../support/deadPid.js";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-trace-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();
const synthFlags = ["--model", model, "--template", "none", "--generator-template", "none", "--preset", "paper", "--threads", "1",
    "--max-tokens", "40", "--max-steps", "1", "--candidates", "1", "--min-thinking-tokens", "10", "--progress", "log"];
const small = mountSmallDisk();
afterAll(() => small.disk?.unmount());

function writeInput(name: string, count: number): string {
    const file = path.join(dir, name);
    writeFileSync(file, pairs.slice(0, count).map(({ id, prompt, response }) => JSON.stringify({ id, prompt, response }) + "\n").join(""));
    return file;
}

/** The trace's records; fails unless every line is whole. */
function traceIds(file: string): string[] {
    const text = readFileSync(file, "utf8");
    expect(text === "" || text.endsWith("\n")).toBe(true);
    return text.split("\n").filter((line) => line !== "").map((line) => traceRecordSchema.parse(JSON.parse(line)).id);
}


describe("the trace lock", () => {
    it("lets only one of two runs on one output (in a folder that does not exist yet) append", async () => {
        const input = writeInput("four.jsonl", 4);
        const output = path.join(dir, "new", "folder", "both.jsonl");
        const results = await Promise.all([runCli(["synthesize", input, "-o", output, ...synthFlags]), runCli(["synthesize", input, "-o", output, ...synthFlags])]);
        const ids = traceIds(output);
        expect(ids.sort()).toEqual(pairs.slice(0, 4).map((pair) => pair.id).sort());
        expect(results.some((result) => result.code === 0)).toBe(true);
        for (const result of results.filter((result) => result.code !== 0)) {
            expect(result.code).toBe(1);
            expect(result.stderr).toMatch(new RegExp(`both\\.jsonl is locked by pid \\d+ \\(a reer synthesize started`, "u"));
            expect(result.stderr).toContain("--shard");
        }
        expect(existsSync(`${output}.lock`)).toBe(false);
    });

    it("refuses a run while another live process holds the lock, and leaves the trace and the lock as they were", async () => {
        const input = writeInput("two.jsonl", 2);
        const output = path.join(dir, "held.jsonl");
        writeFileSync(output, "");
        const lock = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }) + "\n";
        writeFileSync(`${output}.lock`, lock);
        const result = await runCli(["synthesize", input, "-o", output, ...synthFlags]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(new RegExp(`^reer: .*held\\.jsonl is locked by pid ${process.pid} `, "mu"));
        expect(result.stderr).toContain(`delete ${output}.lock`);
        expect(readFileSync(output, "utf8")).toBe("");
        expect(readFileSync(`${output}.lock`, "utf8")).toBe(lock);
    });

    it("refuses the second run before it loads any model", async () => {
        const input = writeInput("two-again.jsonl", 2);
        const output = path.join(dir, "held-early.jsonl");
        writeFileSync(`${output}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }) + "\n");
        // A model that cannot be loaded: the lock's refusal must come first.
        const missingModel = path.join(dir, "no-such-model.gguf");
        const result = await runCli(["synthesize", input, "-o", output, ...synthFlags, "--model", missingModel]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/held-early\.jsonl is locked by pid/u);
        expect(result.stderr).not.toContain("no-such-model");
    });

    it("is released when the run is stopped with Ctrl-C", async () => {
        const input = writeInput("twelve.jsonl", 12);
        const output = path.join(dir, "stopped.jsonl");
        const result = await runCli(["synthesize", input, "-o", output, ...synthFlags], {
            interrupt: { when: () => existsSync(output) && readFileSync(output, "utf8").includes("\n"), signal: "SIGINT" }
        });
        expect(result.interrupted).toBe(true);
        expect(result.code).toBe(130);
        expect(traceIds(output).length).toBeGreaterThan(0);
        expect(existsSync(`${output}.lock`)).toBe(false);
    });
});

describe(`synthesize on a full disk${small.skipReason == null ? "" : ` (${small.skipReason})`}`, () => {
    const fullDiskIt = small.disk == null ? it.skip : it;

    fullDiskIt("stops with a one-line message, keeps whole lines only, claims nothing unwritten, and resumes once there is room", async () => {
        const disk = small.disk!;
        disk.clear();
        const input = writeInput("six.jsonl", 6);
        const output = path.join(disk.dir, "traces", "run.jsonl");
        mkdirSync(path.dirname(output));
        disk.fill(12 * 1024);
        const full = await runCli(["synthesize", input, "-o", output, ...synthFlags]);
        expect(full.code).toBe(1);
        const kept = traceIds(output);
        expect(kept.length).toBeLessThan(6);
        expect(full.stderr).toMatch(new RegExp(`^reer: Cannot write .*run\\.jsonl: no space left on the device \\(ENOSPC\\); item \\S+ was not written, and the file keeps its ${kept.length} whole item\\(s\\)`, "mu"));
        expect(full.stderr).not.toMatch(/item\(s\) written/u);
        expect(full.stderr).not.toMatch(/^\s+at /mu);
        expect(existsSync(`${output}.lock`)).toBe(false);

        // Room again, and a lock left by a run that was killed: the same command takes the lock over and finishes.
        disk.free();
        const pid = deadPid();
        writeFileSync(`${output}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }) + "\n");
        const resumed = await runCli(["synthesize", input, "-o", output, ...synthFlags]);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stderr).toContain(`took over the lock of ${output} from pid ${pid}`);
        const ids = traceIds(output);
        expect(ids.slice(0, kept.length)).toEqual(kept);
        expect([...ids].sort()).toEqual(pairs.slice(0, 6).map((pair) => pair.id).sort());
        expect(existsSync(`${output}.lock`)).toBe(false);
        disk.clear();
    });
});
