import { describe, expect, it } from "vitest";
import { sumWork, workLines } from "../../src/trace/workTotals.js";
import { doneRecord, failedRecord } from "../support/traceFixtures.js";

describe("sumWork", () => {
    it("sums tokens and time over records of every status and divides by hand-checkable figures", () => {
        const a = doneRecord({ id: "a",
            tokens: { generated: 300, generatedDrafting: 100, generatedProposing: 200, promptEvaluated: 50, promptReused: 450, scoringEvaluated: 40, scoringReused: 10 },
            timings: { totalMs: 6000, generationMs: 5000, draftingMs: 2000, proposingMs: 3000, promptEvalMs: 100, scoringMs: 800 } });
        const b = failedRecord({ id: "b",
            tokens: { generated: 60, generatedDrafting: 60, generatedProposing: 0, promptEvaluated: 30, promptReused: 0, scoringEvaluated: 0, scoringReused: 0 },
            timings: { totalMs: 3000, generationMs: 2000, draftingMs: 2000, proposingMs: 0, promptEvalMs: 50, scoringMs: 200 } });
        const work = sumWork([a, b]);
        expect(work.items).toBe(2);
        expect(work.itemMs).toBe(9000);
        // 2 items in 9 s of item time: 800 per hour.
        expect(work.itemsPerHour).toBeCloseTo(800, 9);
        expect(work.tokens).toEqual({ generated: 360, promptEvaluated: 80, promptReused: 450, scored: 40, scoringReused: 10 });
        expect(work.phases.drafting).toEqual({ ms: 4000, tokens: 160, tokensPerSecond: 40 });
        expect(work.phases.proposing).toEqual({ ms: 3000, tokens: 200, tokensPerSecond: 200 / 3 });
        expect(work.phases.scoring).toEqual({ ms: 1000, tokens: 40, tokensPerSecond: 40 });
        expect(workLines(work)).toEqual([
            "2 item(s) in 9.0 s of item time, 800.0 items per hour one at a time",
            "tokens: 360 generated, 80 prompt tokens evaluated and 450 reused from the cache, 40 scored (10 reused)",
            "tokens/s by phase: drafting 40.0 (4.0 s), proposing 66.7 (3.0 s), scoring 40.0 (1.0 s)"
        ]);
    });

    it("says n/a for rates it cannot know: no records, or traces written before the phase split", () => {
        expect(sumWork([]).itemsPerHour).toBeUndefined();
        const old = doneRecord({ id: "old", tokens: { generated: 10, scoringEvaluated: 5, scoringReused: 0 }, timings: { totalMs: 100, generationMs: 80, scoringMs: 20 } });
        const work = sumWork([old]);
        expect(work.phases.drafting.tokensPerSecond).toBeUndefined();
        expect(workLines(work)[2]).toBe("tokens/s by phase: drafting n/a (0.0 s), proposing n/a (0.0 s), scoring 250.0 (0.0 s)");
    });
});
