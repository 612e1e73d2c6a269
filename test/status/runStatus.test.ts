// The live status file of a synthesis, written by RunStatusWriter and read back by
// `reer status`: counts that follow the items, an ETA from the pace so far, and a reader
// that tells a working run from one whose writer is gone or silent.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assessRunStatus } from "../../src/status/assessRunStatus.js";
import { formatRunStatuses } from "../../src/status/formatRunStatus.js";
import { findStatusFiles, readRunStatus } from "../../src/status/readRunStatus.js";
import type { ItemProgress } from "../../src/synthesis/ItemSearch.js";
import { RunStatusWriter } from "../../src/synthesis/RunStatusWriter.js";
import type { SynthesisItem } from "../../src/synthesis/SynthesisItem.js";
import { runStatusSchema, type RunStatus } from "../../src/trace/runStatusSchema.js";
import { deadPid } from "../support/deadPid.js";
import { runCli } from "../support/runCli.js";
import { doneRecord, failedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-status-"));

const item = (id: string): SynthesisItem => ({ id, key: id, line: 1, x: "x", y: "y", thinkingStrippedChars: 0 }) as SynthesisItem;
const progress = (of: SynthesisItem, phase: ItemProgress["phase"], stepsDone = 0): ItemProgress => ({ item: of, phase, stepsDone, stepsPlanned: 4 });
const onDisk = (file: string): RunStatus => runStatusSchema.parse(JSON.parse(readFileSync(file, "utf8")));

describe("RunStatusWriter", () => {
    it("keeps the file in step with the run: planned, in flight with its step, written, finished", async () => {
        const file = path.join(dir, "run.jsonl.status.json");
        const writer = new RunStatusWriter(file, { output: path.join(dir, "run.jsonl"), shard: { index: 1, count: 3 }, intervalMs: 60_000 });
        writer.plan(5, 1, 4);
        expect(onDisk(file)).toMatchObject({ state: "starting", shard: { index: 1, count: 3 }, pid: process.pid, host: hostname(),
            items: { total: 5, alreadyDone: 1, done: 0, pending: 4, inFlight: 0 }, etaSeconds: null });
        writer.running();
        const a = item("a");
        writer.phase(progress(a, "initial"));
        for (let i = 0; i < 7; i++)
            writer.token(a);
        writer.phase(progress(a, "step", 1));
        writer.token(a);
        const during = writer.snapshot();
        expect(during.items).toMatchObject({ pending: 3, inFlight: 1 });
        expect(during.inFlight).toEqual([expect.objectContaining({ id: "a", phase: "step", step: 2, steps: 4, tokens: 1 })]);
        expect(during.tokens.generated).toBe(8);

        await new Promise((resolve) => setTimeout(resolve, 50));
        writer.item(doneRecord({ id: "a", tokens: { generated: 8, scoringEvaluated: 30, scoringReused: 0 } }));
        writer.finished(a);
        const afterOne = onDisk(file);
        expect(afterOne.items).toMatchObject({ done: 1, pending: 3, inFlight: 0 });
        expect(afterOne.tokens).toEqual({ generated: 8, scored: 30 });
        // One item in about 50 ms, three to go: an ETA of well under a few seconds, not null.
        expect(afterOne.etaSeconds).not.toBeNull();
        expect(afterOne.etaSeconds!).toBeLessThan(5);

        const b = item("b");
        writer.phase(progress(b, "initial"));
        writer.item(failedRecord({ id: "b" }));
        writer.finished(b);
        writer.end("finished");
        expect(onDisk(file)).toMatchObject({ state: "finished", items: { done: 1, failed: 1, inFlight: 0, pending: 2 }, etaSeconds: 0 });
    });
});

describe("reading a status back", () => {
    const base = (fields: Partial<RunStatus>): RunStatus => runStatusSchema.parse({
        format: "reer-status/1", state: "running", pid: process.pid, host: hostname(), output: "o.jsonl", shard: null,
        startedAt: "2026-12-06T10:00:00.000Z", updatedAt: "2026-12-06T10:00:00.000Z", intervalMs: 5000,
        items: { total: 10, alreadyDone: 0, done: 4, skipped: 1, failed: 0, inFlight: 1, pending: 4 },
        inFlight: [], tokens: { generated: 100, scored: 50 }, tokensPerSecond: 12.5, etaSeconds: 600, ...fields
    });
    const at = (iso: string) => new Date(iso);

    it("calls a run working while its writer runs and updates, gone when its pid is dead, stale when silent", () => {
        expect(assessRunStatus(base({}), at("2026-12-06T10:00:10.000Z"))).toEqual({ liveness: "working", ageSeconds: 10 });
        expect(assessRunStatus(base({ pid: deadPid() }), at("2026-12-06T10:00:10.000Z")).liveness).toBe("gone");
        // Three intervals of 5 s are under the one-minute floor: 61 s is stale, 59 s is not.
        expect(assessRunStatus(base({}), at("2026-12-06T10:00:59.000Z")).liveness).toBe("working");
        expect(assessRunStatus(base({}), at("2026-12-06T10:01:01.000Z")).liveness).toBe("stale");
        // An ended run is what it says, whatever its pid.
        expect(assessRunStatus(base({ state: "finished", pid: deadPid() }), at("2026-12-06T11:00:00.000Z")).liveness).toBe("finished");
    });

    it("shows every shard of a job array and their total", () => {
        const now = at("2026-12-06T10:00:05.000Z");
        const drafting = { id: "b", phase: "drafting" as const, tokens: 90, since: "2026-12-06T09:59:48.000Z" };
        const shards = [0, 1].map((index) => base({ shard: { index, count: 2 }, etaSeconds: 300 * (index + 1), ...(index === 1 ? { inFlight: [drafting] } : {}) }));
        const text = formatRunStatuses(shards.map((status, index) => ({ file: `s${index}`, status, ...assessRunStatus(status, now) })));
        expect(text).toMatch(/^0\/2 +5\/10 +4 +1 +0 +1 +12\.5 +5 min +5 s ago/mu);
        // The phase's age when the file was written (10:00:00), not a timestamp to subtract by hand.
        expect(text).toContain("  shard 1/2: b: drafting for 12 s, 90 token(s)\n");
        expect(text).toContain("all 2 shards: 10/20 items finished (8 done, 2 skipped, 0 failed), 2 in flight, 25.0 tokens/s, ETA 10 min (the slowest shard)");
    });

    it("reer status finds the shards' files from the output path, says GONE for a killed writer and exits 1", async () => {
        const output = path.join(dir, "job", "traces.jsonl");
        const shardFile = (index: number) => path.join(dir, "job", `traces.shard-${index}-of-2.jsonl`);
        mkdirSync(path.join(dir, "job"));
        for (const index of [0, 1]) {
            writeFileSync(shardFile(index), "");
            const status = base({ shard: { index, count: 2 }, updatedAt: new Date().toISOString(), ...(index === 1 ? { pid: deadPid() } : { state: "finished" }) });
            writeFileSync(`${shardFile(index)}.status.json`, JSON.stringify(status));
        }
        expect(findStatusFiles(output)).toEqual([0, 1].map((index) => `${shardFile(index)}.status.json`));
        const result = await runCli(["status", output]);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^1\/2 .*GONE: pid \d+ no longer runs/mu);
        expect(result.stdout).toMatch(/^0\/2 .*finished$/mu);

        writeFileSync(`${shardFile(1)}.status.json`, "{\"format\": \"reer-status/1\"}");
        expect(() => readRunStatus(`${shardFile(1)}.status.json`)).toThrow(/is not a reer status file: state: /u);
    });
});
