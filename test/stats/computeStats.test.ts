import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { statsCommand } from "../../src/cli/commands/statsCommand.js";
import { estimatedTokenCounter } from "../../src/model/tokenCounter.js";
import { computeStats } from "../../src/stats/computeStats.js";
import { distribution } from "../../src/util/distribution.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { defaultZ, doneRecord, refusedRecord, score } from "../support/traceFixtures.js";

/** A step that accepted candidate `chosen` (or nothing). */
function step(segment: number, chosen: number | null): TraceRecord["steps"][number] {
    return {
        pass: 1, segment, original: "o", chosen, best: 1, bestScore: score(1),
        candidates: [
            { raw: "<refine>a</refine>", text: "a", status: "scored", score: score(1), objective: 1 },
            { raw: "<refine>b</refine>", text: "b", status: "scored", score: score(2), objective: 2 }
        ]
    };
}

// Texts are sized for the estimate: 4 Latin characters or 1 CJK character per token.
const records = [
    doneRecord({
        id: "r1", x: "abcd", y: "abcdefgh", z0: "abcdefghijkl", z: "abcdefghijklmnop",
        steps: [step(0, 0), step(1, null), step(2, 1)],
        score0: score(1.5, { ppl: 4 }), score: score(1.0, { ppl: 2 }),
        timings: { totalMs: 1000, generationMs: 600, promptEvalMs: 250, scoringMs: 400 },
        tokens: { generated: 100, promptEvaluated: 900, promptReused: 3000, scoringEvaluated: 50, scoringReused: 10 }
    }),
    doneRecord({
        id: "r2", x: "abcdefgh", y: "abcdefghijkl", z0: "abcd", z: "abcdefgh",
        steps: [step(0, null)],
        score0: score(2.0, { ppl: 8 }), score: score(2.0, { ppl: 8 }),
        timings: { totalMs: 3000, generationMs: 2000, promptEvalMs: 750, scoringMs: 1000 },
        tokens: { generated: 300, promptEvaluated: 1100, promptReused: 5000, scoringEvaluated: 150, scoringReused: 30 }
    }),
    doneRecord({
        id: "r3", x: "你好", y: "雨", z0: "abcdefghijklmnopqrst", z: "abcdefghijklmnopqrst",
        steps: [step(0, null), step(1, 0)], stopReason: "max-steps",
        score0: score(1.2, { ppl: 3 }), score: score(0.9, { ppl: 2.5 }),
        timings: { totalMs: 2000, generationMs: 1500, scoringMs: 500 }, tokens: { generated: 200, scoringEvaluated: 100, scoringReused: 20 }
    }),
    // A skip after the initial draft: its z0 must not count among the done items' lengths.
    refusedRecord({ code: "draft", problems: [{ code: "too-short", tokens: 57, min: 100 }] }, {
        id: "r4", z0: defaultZ, steps: [],
        timings: { totalMs: 50, generationMs: 50, scoringMs: 0 }, tokens: { generated: 40, scoringEvaluated: 0, scoringReused: 0 }
    })
];

/** r4's refusal: its kind, and its sentence with the one value its group measured. */
const topReasons = [{ status: "skipped", code: "draft", reason: "initial trajectory too short: 57 tokens < 100", count: 1 }];

describe("distribution", () => {
    it("interpolates quantiles linearly and is all null when empty", () => {
        expect(distribution([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, min: 1, median: 2.5, p90: 3.7, max: 4 });
        expect(distribution([])).toEqual({ count: 0, mean: null, min: null, median: null, p90: null, max: null });
    });
});

describe("computeStats", () => {
    const report = computeStats(records, estimatedTokenCounter);

    it("counts items by status and groups skip reasons by kind", () => {
        expect(report.items).toBe(4);
        expect(report.byStatus).toEqual({ done: 3, skipped: 1, failed: 0 });
        expect(report.topReasons).toEqual(topReasons);
        expect(report.stopReasons).toEqual({ "all-segments": 2, "max-steps": 1 });
    });

    it("summarises token lengths of done items", () => {
        // x: 1, 2, 2 tokens; y: 2, 3, 1; z0: 3, 1, 5; z: 4, 2, 5.
        expect(report.lengths.x).toMatchObject({ count: 3, min: 1, median: 2, p90: 2, max: 2 });
        expect(report.lengths.x.mean).toBeCloseTo(5 / 3, 12);
        expect(report.lengths.y).toMatchObject({ count: 3, mean: 2, min: 1, median: 2, max: 3 });
        expect(report.lengths.y.p90).toBeCloseTo(2.8, 12);
        expect(report.lengths.z0).toMatchObject({ mean: 3, median: 3 });
        expect(report.lengths.z0.p90).toBeCloseTo(4.6, 12);
        expect(report.lengths.z).toMatchObject({ min: 2, median: 4, max: 5 });
        expect(report.lengths.z.mean).toBeCloseTo(11 / 3, 12);
    });

    it("gives steps taken and the acceptance rate at each step index", () => {
        expect(report.steps).toMatchObject({ count: 3, mean: 2, median: 2, min: 1, max: 3 });
        expect(report.acceptedSteps).toMatchObject({ mean: 1, min: 0, max: 2 });
        expect(report.acceptance).toEqual([
            { stepIndex: 0, reached: 3, accepted: 1, rate: 1 / 3 },
            { stepIndex: 1, reached: 2, accepted: 1, rate: 0.5 },
            { stepIndex: 2, reached: 1, accepted: 1, rate: 1 }
        ]);
    });

    it("compares scores before and after the search", () => {
        const { scores } = report;
        expect(scores.clippedMeanNllBefore.mean).toBeCloseTo(4.7 / 3, 12);
        expect(scores.clippedMeanNllBefore.median).toBe(1.5);
        expect(scores.clippedMeanNllAfter.mean).toBeCloseTo(1.3, 12);
        expect(scores.clippedMeanNllAfter.median).toBe(1.0);
        expect(scores.pplBefore).toMatchObject({ mean: 5, median: 4 });
        expect(scores.pplAfter.median).toBe(2.5);
        // Improvements 0.5, 0 and 0.3.
        expect(scores.improvement.mean).toBeCloseTo(0.8 / 3, 12);
        expect(scores.improvement.median).toBeCloseTo(0.3, 12);
        expect(scores.improvedItems).toBe(2);
    });

    it("gives time and tokens per done item, and totals over all items", () => {
        expect(report.perItem.totalMs).toMatchObject({ mean: 2000, median: 2000, p90: 2800 });
        expect(report.perItem.generationMs.mean).toBeCloseTo(4100 / 3, 9);
        expect(report.perItem.tokensGenerated).toMatchObject({ mean: 200, max: 300 });
        expect(report.perItem.scoringReused.mean).toBe(20);
        // r3 is a trace written before prompt timings existed: it is left out, not counted as 0.
        expect(report.perItem.promptEvalMs).toMatchObject({ count: 2, mean: 500, max: 750 });
        expect(report.perItem.promptEvaluated).toMatchObject({ count: 2, mean: 1000 });
        expect(report.perItem.promptReused.mean).toBe(4000);
        expect(report.totals).toEqual({ totalMs: 6050, tokensGenerated: 640, scoringEvaluated: 300 });
    });
});

describe("reer stats", () => {
    afterEach(() => {
        vi.restoreAllMocks();
    });

    it("prints the same report as JSON with --json", async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "reer-stats-")), "trace.jsonl");
        writeFileSync(file, records.map((record) => JSON.stringify(record) + "\n").join(""));
        let stdout = "";
        vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
            stdout += String(chunk);
            return true;
        });
        await statsCommand().parseAsync([file, "--json"], { from: "user" });
        // The figures worked out by hand above, read back from what the command printed.
        const printed = JSON.parse(stdout) as Record<string, unknown>;
        expect(Object.keys(printed).sort()).toEqual(["acceptance", "acceptedSteps", "byStatus", "editTurns", "items", "lengths", "perItem", "proposers", "scores", "steps", "stopReasons", "tokenCounting", "topReasons", "totals", "versusEmpty", "work"]);
        expect(printed).toMatchObject({
            items: 4,
            byStatus: { done: 3, skipped: 1, failed: 0 },
            topReasons,
            tokenCounting: "estimated, 1 token per CJK character + 1 per 4 other characters (no --model)",
            lengths: { x: { count: 3, min: 1, median: 2, p90: 2, max: 2 }, z0: { mean: 3, median: 3 }, z: { min: 2, median: 4, max: 5 } },
            steps: { count: 3, mean: 2, median: 2, min: 1, max: 3 },
            acceptedSteps: { mean: 1, min: 0, max: 2 },
            acceptance: [
                { stepIndex: 0, reached: 3, accepted: 1 },
                { stepIndex: 1, reached: 2, accepted: 1, rate: 0.5 },
                { stepIndex: 2, reached: 1, accepted: 1, rate: 1 }
            ],
            stopReasons: { "all-segments": 2, "max-steps": 1 },
            scores: { clippedMeanNllBefore: { median: 1.5 }, clippedMeanNllAfter: { median: 1 }, pplBefore: { mean: 5, median: 4 }, pplAfter: { median: 2.5 }, improvedItems: 2 },
            perItem: {
                totalMs: { mean: 2000, median: 2000, p90: 2800 },
                tokensGenerated: { mean: 200, max: 300 },
                scoringReused: { mean: 20 },
                promptEvalMs: { count: 2, mean: 500, max: 750 },
                promptEvaluated: { count: 2, mean: 1000 },
                promptReused: { mean: 4000 }
            },
            totals: { totalMs: 6050, tokensGenerated: 640, scoringEvaluated: 300 }
        });
        const printedScores = printed.scores as Record<string, { mean: number }>;
        expect(printedScores.improvement!.mean).toBeCloseTo(0.8 / 3, 12);
        expect((printed.acceptance as { rate: number }[])[0]!.rate).toBeCloseTo(1 / 3, 12);
        stdout = "";
        await statsCommand().parseAsync([file], { from: "user" });
        expect(stdout).toMatch(/^4 item\(s\): 3 done, 1 skipped, 0 failed/u);
    });
});
