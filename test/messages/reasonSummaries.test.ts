import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgressReporter, formatReasonSummary, type ProgressMode } from "../../src/cli/progressReporter.js";
import { synthesisConfigSchema } from "../../src/config/synthesisConfig.js";
import { estimatedTokenCounter } from "../../src/model/tokenCounter.js";
import { computeStats } from "../../src/stats/computeStats.js";
import { formatStats } from "../../src/stats/formatStats.js";
import { groupReasons } from "../../src/stats/reasonGroups.js";
import type { RunSummary } from "../../src/synthesis/runSynthesis.js";
import { describeRefusal } from "../../src/trace/describeRefusal.js";
import type { DraftRefusal, Refusal } from "../../src/trace/refusal.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { doneRecord, failedRecord, refusedRecord, skippedRecord } from "../support/traceFixtures.js";
import { sumWork } from "../../src/trace/workTotals.js";

/** An edit prompt too long for the generator's training context of `cap` tokens. */
const tooSmall = (needs: number, cap = 1792): Refusal => ({ code: "context-too-small", role: "generator", prompt: "edit", needs, cap, fromFlag: false });
const tooSmallText = (needs: string, cap = 1792) =>
    `context too small: an edit prompt with the longest allowed trajectory needs ${needs} tokens; the generator's limit is ${cap} tokens (its training context; lower --max-tokens or --max-thinking-tokens)`;
const tooShort = (tokens: number, min = 100): Refusal => ({ code: "draft", problems: [{ code: "too-short", tokens, min }] });
const loop = (ratio: number): DraftRefusal => ({ code: "draft", problems: [{ code: "single-segment" }, { code: "degenerate", ratio, kind: "word", n: 4, max: 0.5 }] });
const skipped = (refusal: Refusal) => ({ status: "skipped", reason: describeRefusal(refusal), refusal });

describe("reasons group by kind and settings, measured numbers shown as their range", () => {
    it("stats groups refusals that differ only in what they measured, and keeps text reasons as written", () => {
        const records: TraceRecord[] = [
            doneRecord({ id: "d" }),
            refusedRecord(tooSmall(2301), { id: "s1" }),
            refusedRecord(tooSmall(2169), { id: "s2" }),
            // Another cap is another setting: its own group.
            refusedRecord(tooSmall(3000, 2048), { id: "s3" }),
            refusedRecord(tooShort(57), { id: "s4" }),
            // A trace from before refusals were written: its text is never parsed.
            skippedRecord({ id: "s5", reason: "initial trajectory too short: 80 tokens < 100" }),
            failedRecord({ id: "f1", error: "ReerError: The response contains 1 character(s) that the vocabulary of TinyStories 656K cannot encode" })
        ];
        const report = computeStats(records, estimatedTokenCounter);
        expect(report.topReasons).toEqual([
            { status: "skipped", code: "context-too-small", reason: tooSmallText("2169-2301"), count: 2 },
            { status: "skipped", code: "context-too-small", reason: tooSmallText("3000", 2048), count: 1 },
            { status: "skipped", code: "draft", reason: "initial trajectory too short: 57 tokens < 100", count: 1 },
            { status: "skipped", reason: "initial trajectory too short: 80 tokens < 100", count: 1 },
            { status: "failed", reason: "ReerError: The response contains 1 character(s) that the vocabulary of TinyStories 656K cannot encode", count: 1 }
        ]);
        const text = formatStats(report);
        expect(text).toContain("\nTop skip and failure reasons:\n");
        expect(text).toContain(`2  skipped  ${tooSmallText("2169-2301")}`);
    });

    it("shows a range per measured number, formatted as the sentence writes it, and one value when they agree", () => {
        // 85.3% and 91.6% repeat: "85-92%"; 85.1% and 84.9% both read 85%.
        expect(groupReasons([skipped(loop(0.853)), skipped(loop(0.916))])).toEqual([{ status: "skipped", code: "draft",
            reason: "initial trajectory has a single segment; it is degenerate: 85-92% of its word 4-grams repeat earlier ones (> 50%)", count: 2 }]);
        expect(groupReasons([skipped(loop(0.851)), skipped(loop(0.849))])[0]!.reason).toBe(
            "initial trajectory has a single segment; it is degenerate: 85% of its word 4-grams repeat earlier ones (> 50%)");
        // Each draft's numbers range on their own: draft 1 over 40 and 70 tokens, draft 2 over 0.6 and 0.9.
        const none = (tokens: number, ratio: number): Refusal => ({ code: "no-usable-draft", drafts: [
            { code: "draft", problems: [{ code: "too-short", tokens, min: 100 }] }, loop(ratio)] });
        expect(groupReasons([skipped(none(70, 0.6)), skipped(none(40, 0.9))])).toEqual([{ status: "skipped", code: "no-usable-draft",
            reason: "none of 2 drafts can start a search: draft 1: initial trajectory too short: 40-70 tokens < 100; " +
                "draft 2: initial trajectory has a single segment; it is degenerate: 60-90% of its word 4-grams repeat earlier ones (> 50%)", count: 2 }]);
    });

    it("keeps apart refusals of other settings, other problems or another number of drafts", () => {
        const groups = groupReasons([skipped(tooShort(57)), skipped(tooShort(60, 120)), skipped(loop(0.9)),
            skipped({ code: "draft", problems: [{ code: "single-segment" }] }),
            skipped({ code: "no-usable-draft", drafts: [loop(0.9), loop(0.9)] }), skipped({ code: "no-usable-draft", drafts: [loop(0.9), loop(0.9), loop(0.9)] })]);
        expect(groups).toHaveLength(6);
        expect(groups.map((group) => group.count)).toEqual([1, 1, 1, 1, 1, 1]);
    });

    it("joins a refusal that measured nothing to the same text from an older trace", () => {
        const single: Refusal = { code: "draft", problems: [{ code: "single-segment" }] };
        expect(groupReasons([{ status: "skipped", reason: "initial trajectory has a single segment" }, skipped(single)]))
            .toEqual([{ status: "skipped", code: "draft", reason: "initial trajectory has a single segment", count: 2 }]);
    });

    it("never parses text: reasons without a refusal group only when they are the same, ordered by count, then text", () => {
        expect(groupReasons([{ status: "a", reason: "x 2 tokens" }, { status: "b", reason: "y" }, { status: "a", reason: "x 1 tokens" }, { status: "b", reason: "y" }]))
            .toEqual([{ status: "b", reason: "y", count: 2 }, { status: "a", reason: "x 1 tokens", count: 1 }, { status: "a", reason: "x 2 tokens", count: 1 }]);
    });

    it("the run summary lists each group under its status", () => {
        expect(formatReasonSummary(groupReasons([skipped(tooShort(80)), skipped(tooShort(57)), { status: "failed", reason: "Error: decode failed" }])))
            .toBe("why items were not done:\n  2 skipped: initial trajectory too short: 57-80 tokens < 100\n  1 failed: Error: decode failed");
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
            ...Array.from({ length: 31 }, (_, index) => refusedRecord(tooSmall(2000 + index), { id: `s${index}` })),
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
            expect(text).toContain(`why items were not done:\n  31 skipped: ${tooSmallText("2000-2030")}\n   1 failed: Error: decode failed`);
        });
    }

    it("not with --progress json (each item line carries its reason) nor with --quiet", () => {
        const json = run("json");
        expect(json).not.toContain("why items were not done");
        const lines = json.trim().split("\n").map((line) => JSON.parse(line) as { type: string; id?: string; refusal?: unknown });
        expect(lines.at(-1)!.type).toBe("summary");
        // Each skipped item's line carries its refusal as data, the same object as its record's.
        expect(lines.find((line) => line.id === "s3")!.refusal).toEqual(refusedRecord(tooSmall(2003)).refusal);
        expect(lines.find((line) => line.id === "d")!.refusal).toBeUndefined();
        written = "";
        expect(run("none")).toBe("");
    });
});
