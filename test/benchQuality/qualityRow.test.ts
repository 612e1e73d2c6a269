import { describe, expect, it } from "vitest";
import type { Evaluation } from "../../src/evaluation/evaluationSchema.js";
import { ngramLeakage, qualityRow } from "../../scripts/bench-quality/qualityRow.js";
import { doneRecord, score, skippedRecord } from "../support/traceFixtures.js";

const words = (count: number, prefix: string) => Array.from({ length: count }, (_, index) => `${prefix}${index}`).join(" ");

function evaluation(items: [string, number, number, number][]): Evaluation {
    return {
        items: items.map(([id, empty, initial, final]) => ({ id, ppl_empty: empty, ppl_initial: initial, ppl_final: final, objective_empty: 1, objective_initial: 1, objective_final: 1 })),
        summary: { items: items.length, improved_vs_initial: null, improved_vs_empty: null, median_drop_vs_initial: null, median_drop_vs_empty: null } as Evaluation["summary"]
    } as Evaluation;
}

describe("ngramLeakage", () => {
    it("counts z's 13-grams that occur in y, with repeats, by hand", () => {
        // y holds w0..w19; z holds w0..w13 (2 grams, both in y) then 3 new words (3 grams, none in y).
        const y = words(20, "w");
        const z = `${words(14, "w")} ${words(3, "q")}`;
        expect(ngramLeakage(z, y)).toEqual({ shared: 2, total: 5 });
        expect(ngramLeakage("too short to have one", y)).toEqual({ shared: 0, total: 0 });
    });
});

describe("qualityRow", () => {
    it("computes every figure from hand-made records and evaluations", () => {
        const a = doneRecord({ id: "a", y: "the answer", z: "a plan", objective0: 1.5, objectiveFinal: 1.2, score0: score(1.5), score: score(1.2),
            steps: [
                { pass: 1, segment: 0, original: "o", chosen: 0, best: 1.2, bestScore: score(1.2), candidates: [{ raw: "r", text: "t", status: "scored", score: score(1.2), objective: 1.2 }, { raw: "r", status: "rejected", reason: "no-refine-block" }] },
                { pass: 1, segment: 1, original: "o", chosen: null, best: 1.2, bestScore: score(1.2), candidates: [{ raw: "r", text: "t", status: "rejected", reason: "too-long" }] },
                // A removal (--prune): neither an edit turn nor a step that asked for a rewrite.
                { pass: 2, segment: 1, original: "o", chosen: 0, best: 1.2, bestScore: score(1.2), candidates: [{ raw: "", text: "", proposer: "prune", status: "scored", score: score(1.2), objective: 1.2 }] }
            ],
            scoreEmpty: score(1.3),
            timings: { totalMs: 60_000, generationMs: 50_000, scoringMs: 10_000 }, tokens: { generated: 900, scoringEvaluated: 300, scoringReused: 0 } });
        const b = doneRecord({ id: "b", y: "another answer", z: "a second plan", objective0: 1.1, objectiveFinal: 1.1, score0: score(1.1), score: score(1.1), steps: [], scoreEmpty: score(1.0),
            timings: { totalMs: 120_000, generationMs: 100_000, scoringMs: 20_000 }, tokens: { generated: 1500, scoringEvaluated: 500, scoringReused: 0 } });
        const c = skippedRecord({ id: "c", timings: { totalMs: 30_000, generationMs: 30_000, scoringMs: 0 }, tokens: { generated: 400, scoringEvaluated: 0, scoringReused: 0 } });
        // ids: a beats no thinking (9 < 10), b does not (12 > 10); "z" is not in the records and must be ignored.
        const own = evaluation([["a", 10, 11, 9], ["b", 10, 12, 12], ["z", 100, 100, 1]]);
        const row = qualityRow("test", [a, b, c], own, undefined);
        expect(row).toMatchObject({ items: 3, done: 2, skipped: 1, failed: 0, editTurns: 3, judge: null, longestSharedRun: expect.any(Number) });
        expect(row.usableRewriteRate).toBeCloseTo(2 / 3, 12);
        expect(row.acceptanceRate).toBe(0.5);
        expect(row.belowInitialByObjective).toBe(0.5);
        expect(row.removalsPerItem).toBe(0.5);
        // By the clipped objective: a 1.2 < 1.3 beats no thinking, b 1.1 > 1.0 does not.
        expect(row.belowEmptyByObjective).toBe(0.5);
        expect(row.own.beatsEmpty).toBe(0.5);
        // drops vs z0: 1 - 9/11 and 1 - 12/12 = 0; median of two = their mean.
        expect(row.own.medianDropVsInitial).toBeCloseTo((1 - 9 / 11 + 0) / 2, 12);
        // drops vs no thinking: 0.1 and -0.2.
        expect(row.own.medianDropVsEmpty).toBeCloseTo(-0.05, 12);
        // mean time 70 s per item -> 3600 / 70 items per hour.
        expect(row.itemsPerHour).toBeCloseTo(3600 / 70, 9);
        expect(row.tokensGeneratedPerItem).toBeCloseTo(2800 / 3, 9);
        expect(row.tokensScoredPerItem).toBeCloseTo(800 / 3, 9);
    });

    it("counts quotes under the copy limit as 8-gram leakage, which 13-grams miss, by hand", () => {
        // z: w0..w8 then q0..q2: five 8-grams, two of them (w0-w7, w1-w8) in y; no 13-gram at all.
        const record = doneRecord({ id: "a", y: words(20, "w"), z: `${words(9, "w")} ${words(3, "q")}` });
        const row = qualityRow("quotes", [record], evaluation([["a", 10, 10, 10]]), undefined);
        expect(row.quoteNgramShare).toBeCloseTo(2 / 5, 12);
        expect(row.leakageNgramShare).toBe(0);
    });
});
