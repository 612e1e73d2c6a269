import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { shardOfKey } from "../../src/sharding/ShardSpec.js";
import { traceRecordSchema, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";
import { doneRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-shards-"));
const pairs = loadSamplePairs();
const picked = [8, 9, 10, 11, 12].map((i) => pairs[i]!);
const input = path.join(dir, "in.jsonl");
writeFileSync(input, picked.map((pair) => JSON.stringify({ id: pair.id, prompt: pair.prompt, response: pair.response })).join("\n") + "\n");
const run = ["--model", requireAsset(stories260kPath), "--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1",
    "--max-tokens", "120", "--max-steps", "2", "--min-thinking-tokens", "20", "--seed", "11", "-q", "--prompts", promptsWithParagraphOpener()];

const read = (file: string): TraceRecord[] =>
    readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => traceRecordSchema.parse(JSON.parse(line)));
const comparable = (records: TraceRecord[]) => new Map(records.map(({ timings: _t, ...rest }) => [rest.id, JSON.stringify(rest)]));

describe("sharded synthesis", () => {
    it("3 shards + merge equal an unsharded run; a changed shard count redoes nothing", async () => {
        const whole = path.join(dir, "whole.jsonl");
        expect((await runCli(["synthesize", input, "-o", whole, ...run])).code).toBe(0);
        const expected = comparable(read(whole));

        const base = path.join(dir, "job", "traces.jsonl");
        mkdirSync(path.dirname(base), { recursive: true });
        // First attempt with 2 shards, of which only shard 0 runs.
        expect((await runCli(["synthesize", input, "-o", base, ...run, "--shard", "0/2"])).code).toBe(0);
        const firstShard = read(path.join(dir, "job", "traces.shard-0-of-2.jsonl"));
        expect(firstShard.length).toBeGreaterThan(0);
        expect(firstShard.every((record) => shardOfKey(record.key, 2) === 0)).toBe(true);

        // The job is restarted with 3 shards: items finished under 2 shards are not redone.
        for (let index = 0; index < 3; index++) {
            const result = await runCli(["synthesize", input, "-o", base, ...run, "--shard", `${index}/3`]);
            expect(result.code).toBe(0);
        }
        const threeShardRecords = [0, 1, 2].flatMap((index) => read(path.join(dir, "job", `traces.shard-${index}-of-3.jsonl`)));
        const firstShardIds = new Set(firstShard.map((record) => record.id));
        expect(threeShardRecords.filter((record) => firstShardIds.has(record.id))).toEqual([]);
        // Each shard file, with the status file its run left beside it.
        const shardFiles = ["traces.shard-0-of-2.jsonl", "traces.shard-0-of-3.jsonl", "traces.shard-1-of-3.jsonl", "traces.shard-2-of-3.jsonl"];
        expect(readdirSync(path.join(dir, "job")).sort()).toEqual(shardFiles.flatMap((file) => [file, `${file}.status.json`]).sort());

        const merged = path.join(dir, "merged.jsonl");
        const merge = await runCli(["merge", input, base, "-o", merged]);
        expect(merge.code).toBe(0);
        expect(merge.stderr).toContain(`${picked.length} of ${picked.length} item(s)`);
        const mergedRecords = read(merged);
        expect(mergedRecords.map((record) => record.id)).toEqual(picked.map((pair) => pair.id));
        expect(comparable(mergedRecords)).toEqual(expected);
    });

    it("merge reports missing items and fails unless they are allowed", async () => {
        // A trace holding only the first input item, written here so this test stands alone.
        const partial = path.join(dir, "partial.jsonl");
        const first = picked[0]!;
        const only = doneRecord({ id: first.id, x: first.prompt, y: first.response });
        writeFileSync(partial, JSON.stringify(only) + "\n");
        const result = await runCli(["merge", input, partial, "-o", path.join(dir, "m2.jsonl")]);
        expect(result.code).toBe(3); // partial result: the merge is written, items are missing
        expect(result.stderr).toContain(`missing ${picked.length - 1} item(s)`);
        const allowed = path.join(dir, "m3.jsonl");
        expect((await runCli(["merge", input, partial, "-o", allowed, "--allow-missing"])).code).toBe(0);
        expect(read(allowed)).toEqual([only]);
    });
});
