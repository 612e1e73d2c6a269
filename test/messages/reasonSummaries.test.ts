import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressReporter, formatReasonSummary, type ProgressMode } from "../../src/cli/progressReporter.js";
import { synthesisConfigSchema } from "../../src/config/synthesisConfig.js";
import { estimatedTokenCounter } from "../../src/model/tokenCounter.js";
import { computeStats } from "../../src/stats/computeStats.js";
import { formatStats } from "../../src/stats/formatStats.js";
import { foldMeasuredCounts, groupReasons } from "../../src/stats/reasonGroups.js";
import type { RunSummary } from "../../src/synthesis/runSynthesis.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { doneRecord, failedRecord, skippedRecord } from "../support/traceFixtures.js";
import { sumWork } from "../../src/trace/workTotals.js";

const tooSmall = (needs: number) =>
    `context too small: an edit prompt with the longest allowed trajectory needs ${needs} tokens, the generator context holds 1792 (lower --max-tokens or --max-thinking-tokens)`;

describe("reasons keep their names and settings, and group by what they measured", () => {
    it("folds measured counts only", () => {
        expect(foldMeasuredCounts(tooSmall(2169))).toBe(tooSmall(0).replace("needs 0", "needs N").replace("holds 1792", "holds N"));
        expect(foldMeasuredCounts("initial trajectory too short: 57 tokens < 100")).toBe("initial trajectory too short: N tokens < 100");
        expect(foldMeasuredCounts("initial trajectory too long: 300 tokens > --max-thinking-tokens 240")).toBe("initial trajectory too long: N tokens > --max-thinking-tokens 240");
        expect(foldMeasuredCounts("A generation needs 300 prompt tokens + 120 new tokens but the context holds 1024."))
            .toBe("A generation needs N prompt tokens + N new tokens but the context holds N.");
        // Model names, file names and versions are not measurements.
        for (const text of ["TinyStories 656K cannot encode U+2014", "stories260K.gguf failed", "qwen2.5-7b-instruct-q4_k_m.gguf: Q8_0 layer 12 of 28", "none of 3 drafts can start a search"])
            expect(foldMeasuredCounts(text)).toBe(text);
    });

    it("stats groups reasons that differ only in measured counts and keeps model names readable", () => {
        const records: TraceRecord[] = [
            doneRecord({ id: "d" }),
            skippedRecord({ id: "s1", reason: tooSmall(2169) }),
            skippedRecord({ id: "s2", reason: tooSmall(2301) }),
            skippedRecord({ id: "s3", reason: "initial trajectory too short: 57 tokens < 100" }),
            failedRecord({ id: "f1", error: "The response contains 1 character(s) that the vocabulary of TinyStories 656K cannot encode" })
        ];
        const report = computeStats(records, estimatedTokenCounter);
        expect(report.topReasons).toEqual([
            { status: "skipped", reason: foldMeasuredCounts(tooSmall(1)), count: 2 },
            { status: "skipped", reason: "initial trajectory too short: N tokens < 100", count: 1 },
            { status: "failed", reason: "The response contains N character(s) that the vocabulary of TinyStories 656K cannot encode", count: 1 }
        ]);
        expect(formatStats(report)).toContain("TinyStories 656K");
        expect(formatStats(report)).toContain("(measured counts shown as N)");
    });

    it("says what N is only when a reason shows one", () => {
        const plain = [skippedRecord({ id: "s", reason: "initial trajectory has a single segment" })];
        expect(formatStats(computeStats(plain, estimatedTokenCounter))).toContain("\nTop skip and failure reasons:\n");
        expect(formatReasonSummary(groupReasons([{ status: "skipped", reason: "initial trajectory has a single segment" }])))
            .toBe("why items were not done:\n  1 skipped: initial trajectory has a single segment");
        expect(formatReasonSummary(groupReasons([{ status: "skipped", reason: "initial trajectory too short: 57 tokens < 100" }])))
            .toBe("why items were not done (measured counts shown as N):\n  1 skipped: initial trajectory too short: N tokens < 100");
    });

    it("groupReasons orders by count, then text", () => {
        expect(groupReasons([{ status: "a", reason: "x 1 tokens" }, { status: "a", reason: "x 2 tokens" }, { status: "b", reason: "y" }]))
            .toEqual([{ status: "a", reason: "x N tokens", count: 2 }, { status: "b", reason: "y", count: 1 }]);
    });
});

describe("synthesize ends with the reasons items were skipped or failed", () => {
    let written = "";
    afterEach(() => {
        vi.restoreAllMocks();
        written = "";
    });

    function run(mode: ProgressMode | "none"): string {
        vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
            written += String(chunk);
            return true;
        });
        const config = synthesisConfigSchema.parse({});
        const reporter = createProgressReporter(mode, config);
        const records: TraceRecord[] = [
            ...Array.from({ length: 31 }, (_, index) => skippedRecord({ id: `s${index}`, reason: tooSmall(2000 + index) })),
            failedRecord({ id: "f" }),
            doneRecord({ id: "d" })
        ];
        reporter.onEvent({ type: "start", total: records.length, pending: records.length, alreadyDone: 0, generatorContext: 1792, scorerContext: 1024 });
        records.forEach((record, index) => reporter.onEvent({ type: "item", record, done: index + 1, total: records.length, generatedTokens: 10 }));
        const summary: RunSummary = {
            total: records.length, inShard: records.length, alreadyDone: 0, written: records.length,
            byStatus: { done: 1, skipped: 31, failed: 1 }, thinkingStripped: 0, stopped: false, abandoned: 0, repairedTornLine: false, droppedFailed: 0,
            editTurns: { turns: 0, usable: 0, tooLong: 0, unusable: 0 },
            work: sumWork(records)
        };
        reporter.finish(summary);
        return written;
    }

    for (const mode of ["bar", "log"] as const) {
        it(`in ${mode} mode`, () => {
            const text = run(mode);
            expect(text).toContain("33 item(s) written (1 done, 31 skipped, 1 failed)");
            expect(text).toContain("run again with --retry-failed");
            expect(text).toContain("why items were not done (measured counts shown as N):");
            expect(text).toContain(`31 skipped: ${foldMeasuredCounts(tooSmall(1))}`);
            expect(text).toMatch(/ 1 failed: Error: decode failed/u);
        });
    }

    it("not with --progress json (each item line carries its reason) nor with --quiet", () => {
        const json = run("json");
        expect(json).not.toContain("why items were not done");
        expect(json.trim().split("\n").map((line) => JSON.parse(line) as { type: string }).at(-1)!.type).toBe("summary");
        written = "";
        expect(run("none")).toBe("");
    });
});
