import { describe, expect, it } from "vitest";
import { aggregateLogprobs } from "../../src/scoring/scoreAggregates.js";

describe("aggregateLogprobs", () => {
    it("matches hand-computed aggregates with the paper clip at -2", () => {
        // NLLs 0.5, 3, 1, 2.5 -> clipped 0.5, 2, 1, 2
        const result = aggregateLogprobs([-0.5, -3, -1, -2.5]);
        expect(result.tokenCount).toBe(4);
        expect(result.sumLogprob).toBeCloseTo(-7, 12);
        expect(result.meanNll).toBeCloseTo(1.75, 12);
        expect(result.ppl).toBeCloseTo(5.754602676005731, 12);
        expect(result.clippedMeanNll).toBeCloseTo(1.375, 12);
    });

    it("takes the clip floor as a parameter", () => {
        // clipped at -1: 0.5, 1, 1, 1
        expect(aggregateLogprobs([-0.5, -3, -1, -2.5], -1).clippedMeanNll).toBeCloseTo(0.875, 12);
        // a floor below every value leaves the clipped mean equal to the mean NLL
        expect(aggregateLogprobs([-0.5, -3, -1, -2.5], -10).clippedMeanNll).toBeCloseTo(1.75, 12);
    });

    it("keeps the clipped score within [0, -floor] even for -Infinity", () => {
        const result = aggregateLogprobs([Number.NEGATIVE_INFINITY, 0]);
        expect(result.clippedMeanNll).toBe(1);
        expect(result.meanNll).toBe(Number.POSITIVE_INFINITY);
    });

    it("reports an empty score as NaN, not as a perfect one", () => {
        const result = aggregateLogprobs([]);
        expect(result.tokenCount).toBe(0);
        expect(result.meanNll).toBeNaN();
        expect(result.clippedMeanNll).toBeNaN();
    });

    it("rejects a non-negative floor", () => {
        expect(() => aggregateLogprobs([-1], 0)).toThrow(RangeError);
    });
});
