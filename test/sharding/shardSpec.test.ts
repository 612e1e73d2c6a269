import { describe, expect, it } from "vitest";
import { ReerError } from "../../src/errors/ReerError.js";
import { mergeTraces } from "../../src/sharding/mergeTraces.js";
import { isShardOutputOf, parseShardSpec, shardOfKey, shardOutputPath } from "../../src/sharding/ShardSpec.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";

describe("shard specs", () => {
    it("parses i/N and rejects out-of-range indexes", () => {
        expect(parseShardSpec("2/5")).toEqual({ index: 2, count: 5 });
        expect(() => parseShardSpec("5/5")).toThrow(ReerError);
        expect(() => parseShardSpec("1-of-3")).toThrow(/i\/N/);
    });

    it("reads SLURM job arrays, offset by the array's first index", () => {
        expect(parseShardSpec("auto", { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ index: 3, count: 4 });
        expect(parseShardSpec("auto", { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1", SLURM_ARRAY_TASK_COUNT: "4" })).toEqual({ index: 3, count: 4 });
    });

    it("reads Kubernetes Indexed Jobs with the count given by REER_SHARD_COUNT", () => {
        expect(parseShardSpec("auto", { JOB_COMPLETION_INDEX: "0", REER_SHARD_COUNT: "8" })).toEqual({ index: 0, count: 8 });
        expect(() => parseShardSpec("auto", { JOB_COMPLETION_INDEX: "0" })).toThrow(/REER_SHARD_COUNT/);
        expect(() => parseShardSpec("auto", {})).toThrow(/no SLURM array/);
    });

    it("assigns keys stably and roughly evenly", () => {
        const counts = [0, 0, 0, 0];
        for (let i = 0; i < 4000; i++)
            counts[shardOfKey(`item-${i}`, 4)]!++;
        for (const count of counts)
            expect(count).toBeGreaterThan(850);
        // Known answers from Python: int.from_bytes(hashlib.sha256(key).digest()[:4], "big") % n,
        // so shard assignment can never drift between versions or machines.
        expect(shardOfKey("item-0", 4)).toBe(2);
        expect(shardOfKey("item-0", 7)).toBe(1);
        expect(shardOfKey("aesop-002", 7)).toBe(0);
        expect(shardOfKey("item-0", 1)).toBe(0);
    });

    it("names shard files next to the output and recognises them", () => {
        expect(shardOutputPath("out/traces.jsonl", { index: 2, count: 8 })).toBe("out/traces.shard-2-of-8.jsonl");
        expect(isShardOutputOf("out/traces.jsonl", "out/traces.shard-2-of-8.jsonl")).toBe(true);
        expect(isShardOutputOf("out/traces.jsonl", "out/traces.shard-x-of-8.jsonl")).toBe(false);
        expect(isShardOutputOf("out/traces.jsonl", "out/other.shard-2-of-8.jsonl")).toBe(false);
    });
});

describe("mergeTraces", () => {
    const record = (key: string, status: TraceRecord["status"]) => ({ key, id: key, status } as TraceRecord);

    it("keeps input order, reports missing, duplicate and unknown items, and prefers done copies", () => {
        const result = mergeTraces(["a", "b", "c", "d"], [
            { file: "s0", records: [record("c", "failed"), record("a", "done")] },
            { file: "s1", records: [record("c", "done"), record("zz", "done"), record("b", "skipped")] },
            { file: "s2", records: [record("b", "done")] }
        ]);
        expect(result.merged.map((r) => [r.key, r.status])).toEqual([["a", "done"], ["b", "done"], ["c", "done"]]);
        expect(result.missing).toEqual(["d"]);
        expect(result.duplicates).toEqual([
            { key: "c", files: ["s0", "s1"], kept: "s1" },
            { key: "b", files: ["s1", "s2"], kept: "s2" }
        ]);
        expect(result.unknown).toEqual([{ key: "zz", file: "s1" }]);
    });
});
