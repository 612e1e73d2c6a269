import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TraceLock } from "../../src/trace/TraceLock.js";
import { TraceStore } from "../../src/trace/TraceStore.js";
import { endOf } from "../support/boundedChild.js";
import { deadPid } from "../support/deadPid.js";
import { doneRecord } from "../support/traceFixtures.js";
import { mountSmallDisk } from "./smallDisk.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "reer-lock-"));
const small = mountSmallDisk();
afterAll(() => small.disk?.unmount());


describe("TraceLock", () => {
    it("is exclusive: a second acquire is refused with the holder's pid until the first releases", () => {
        const trace = path.join(dir, "one.jsonl");
        const lock = TraceLock.acquire(trace);
        const holder = JSON.parse(readFileSync(`${trace}.lock`, "utf8"));
        expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
        expect(() => TraceLock.acquire(trace)).toThrow(expect.objectContaining({ code: "TRACE_LOCKED", message: expect.stringContaining(`locked by pid ${process.pid}`) }));
        lock.release();
        expect(existsSync(`${trace}.lock`)).toBe(false);
        TraceLock.acquire(trace).release();
        expect(readdirSync(dir).filter((name) => name.includes(".lock"))).toEqual([]);
    });

    it("takes over a lock whose process is gone, with a note, and leaves an unreadable lock alone", () => {
        const trace = path.join(dir, "stale.jsonl");
        const pid = deadPid();
        writeFileSync(`${trace}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
        const notes: string[] = [];
        const lock = TraceLock.acquire(trace, { onNote: (note) => notes.push(note) });
        expect(notes.join("")).toMatch(new RegExp(`took over the lock .* from pid ${pid} .*no longer running`, "u"));
        expect(JSON.parse(readFileSync(`${trace}.lock`, "utf8")).pid).toBe(process.pid);
        lock.release();

        writeFileSync(`${trace}.lock`, "not a lock");
        expect(() => TraceLock.acquire(trace)).toThrow(expect.objectContaining({ code: "TRACE_LOCKED", hint: expect.stringContaining(`delete ${trace}.lock`) }));
        expect(readFileSync(`${trace}.lock`, "utf8")).toBe("not a lock");
    });

    it("counts a holder on another host as running", () => {
        const trace = path.join(dir, "remote.jsonl");
        writeFileSync(`${trace}.lock`, JSON.stringify({ pid: deadPid(), host: `${hostname()}-elsewhere`, startedAt: "2026-01-01T00:00:00.000Z" }));
        expect(() => TraceLock.acquire(trace)).toThrow(expect.objectContaining({ message: expect.stringContaining(`on ${hostname()}-elsewhere`) }));
    });

    it("takes over from a holder on another host only when its status file has been silent for ten minutes", () => {
        const trace = path.join(dir, "remote-silent.jsonl");
        const holder = { pid: 4242, host: `${hostname()}-lost-node`, startedAt: "2026-01-01T00:00:00.000Z" };
        const statusAged = (minutes: number, fields: Record<string, unknown> = {}) => writeFileSync(`${trace}.status.json`, JSON.stringify({
            format: "reer-status/1", state: "running", pid: holder.pid, host: holder.host, output: trace, shard: null,
            startedAt: holder.startedAt, updatedAt: new Date(Date.now() - minutes * 60_000).toISOString(), intervalMs: 5000,
            items: { total: 4, alreadyDone: 0, done: 1, skipped: 0, failed: 0, inFlight: 1, pending: 2 },
            inFlight: [], tokens: { generated: 10, scored: 5 }, tokensPerSecond: 1, etaSeconds: 60, ...fields
        }));
        writeFileSync(`${trace}.lock`, JSON.stringify(holder));
        statusAged(9);
        expect(() => TraceLock.acquire(trace)).toThrow(expect.objectContaining({ code: "TRACE_LOCKED" }));
        // Silent long enough, but the status file is another run's: the lock's holder may still be alive.
        statusAged(30, { pid: 4243 });
        expect(() => TraceLock.acquire(trace)).toThrow(expect.objectContaining({ code: "TRACE_LOCKED" }));
        statusAged(11);
        const notes: string[] = [];
        TraceLock.acquire(trace, { onNote: (note) => notes.push(note) }).release();
        expect(notes.join("")).toContain(`took over the lock of ${trace} from pid 4242 (started 2026-01-01T00:00:00.000Z), on ${holder.host}, whose status file has not been updated for 11 min`);
    });

    it("is released when the process exits without releasing it", () => {
        const trace = path.join(dir, "exit.jsonl");
        const script = `import { TraceLock } from ${JSON.stringify(path.join(repoRoot, "src", "trace", "TraceLock.ts"))};
TraceLock.acquire(${JSON.stringify(trace)}); process.exit(3);`;
        const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repoRoot, encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" });
        expect(result.status, result.stderr).toBe(3);
        expect(existsSync(`${trace}.lock`)).toBe(false);
    });
});

/** Starts `count` processes that all try to take the lock of `trace` at the same moment; what each said. */
async function contend(trace: string, count: number): Promise<{ acquired: boolean; code?: string; message?: string }[]> {
    const startAt = Date.now() + 1500;
    const contenders = Array.from({ length: count }, async () => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "test", "support", "lockContender.ts"), trace, String(startAt), "1500"],
            { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString("utf8"); });
        await endOf(child, "a lock contender", 30_000);
        return out;
    });
    return (await Promise.all(contenders)).map((out) => JSON.parse(out.trim()));
}

describe("TraceLock with several runs starting at once", () => {
    it("lets exactly one of them take over a stale lock; the others are refused with the lock's message", async () => {
        for (let round = 0; round < 3; round++) {
            const trace = path.join(dir, `race-${round}.jsonl`);
            writeFileSync(`${trace}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
            const outcomes = await contend(trace, 6);
            expect(outcomes.filter((outcome) => outcome.acquired)).toHaveLength(1);
            for (const refused of outcomes.filter((outcome) => !outcome.acquired))
                expect(refused).toMatchObject({ code: "TRACE_LOCKED", message: expect.stringMatching(/is locked by pid \d+ \(a reer synthesize started/u) });
            expect(existsSync(`${trace}.lock.takeover`)).toBe(false);
        }
    });
});

describe("TraceStore and its lock", () => {
    it("holds the lock while open, creates a missing folder, and releases the lock on close and on a failed open", async () => {
        const trace = path.join(dir, "new", "folder", "trace.jsonl");
        const { store } = await TraceStore.open(trace, { retryFailed: false });
        await expect(TraceStore.open(trace, { retryFailed: false })).rejects.toMatchObject({ code: "TRACE_LOCKED" });
        store.append(doneRecord({ id: "a", key: "a" }));
        store.close();
        expect(existsSync(`${trace}.lock`)).toBe(false);

        const bad = path.join(dir, "bad.jsonl");
        writeFileSync(bad, "{\"hello\": 1}\n");
        await expect(TraceStore.open(bad, { retryFailed: false })).rejects.toMatchObject({ code: "TRACE_INVALID" });
        expect(existsSync(`${bad}.lock`)).toBe(false);
    });
});

describe(`TraceStore on a full disk${small.skipReason == null ? "" : ` (${small.skipReason})`}`, () => {
    const fullDiskIt = small.disk == null ? it.skip : it;

    fullDiskIt("cuts a failed append back so the trace keeps only whole lines, and says how many", async () => {
        const disk = small.disk!;
        disk.clear();
        const trace = path.join(disk.dir, "trace.jsonl");
        const first = JSON.stringify(doneRecord({ id: "a", key: "a" })) + "\n";
        writeFileSync(trace, first);
        const { store } = await TraceStore.open(trace, { retryFailed: false });
        disk.fill(0);
        // A record larger than what is left: the write gets part of the way, then ENOSPC.
        const big = doneRecord({ id: "big", key: "big", z: "word ".repeat(4000) });
        expect(() => store.append(big)).toThrow(expect.objectContaining({
            code: "OUTPUT_WRITE_FAILED",
            message: expect.stringMatching(/no space left .*item big was not written, and the file keeps its 1 whole item/u)
        }));
        store.close();
        expect(readFileSync(trace, "utf8")).toBe(first);
        expect(existsSync(`${trace}.lock`)).toBe(false);
        disk.clear();
    });
});
