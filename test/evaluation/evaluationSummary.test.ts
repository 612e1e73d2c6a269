import { describe, expect, it } from "vitest";
import { summarisePerplexities } from "../../src/evaluation/evaluationSummary.js";

// Hand-computed: drop = 1 - final / other.
//   a: 10 / 8 / 6     drops vs z0  0.25,  vs no z  0.4     better than both
//   b:  5 / 4 / 4     drops vs z0  0,     vs no z  0.2     a tie with z0 is no improvement
//   c:  2 / 2 / 2.5   drops vs z0 -0.25,  vs no z -0.25    worse than both
const a = { ppl_empty: 10, ppl_initial: 8, ppl_final: 6 };
const b = { ppl_empty: 5, ppl_initial: 4, ppl_final: 4 };
const c = { ppl_empty: 2, ppl_initial: 2, ppl_final: 2.5 };
//   d:  4 / 5 / 4.5   drops vs z0  0.1,   vs no z -0.125   better than z0 only
const d = { ppl_empty: 4, ppl_initial: 5, ppl_final: 4.5 };

describe("summarisePerplexities", () => {
    it("counts strict improvements and takes the middle drop of an odd number of items", () => {
        const summary = summarisePerplexities([a, b, c]);
        expect(summary.items).toBe(3);
        expect(summary.improved_vs_initial).toBeCloseTo(1 / 3, 12);
        expect(summary.improved_vs_empty).toBeCloseTo(2 / 3, 12);
        expect(summary.median_drop_vs_initial).toBeCloseTo(0, 12);
        expect(summary.median_drop_vs_empty).toBeCloseTo(0.2, 12);
    });

    it("averages the two middle drops of an even number of items, whatever the order", () => {
        const summary = summarisePerplexities([d, c, a, b]);
        expect(summary.items).toBe(4);
        expect(summary.improved_vs_initial).toBe(0.5);
        expect(summary.improved_vs_empty).toBe(0.5);
        // vs z0: -0.25, 0, 0.1, 0.25; vs no z: -0.25, -0.125, 0.2, 0.4.
        expect(summary.median_drop_vs_initial).toBeCloseTo(0.05, 12);
        expect(summary.median_drop_vs_empty).toBeCloseTo(0.0375, 12);
    });

    it("keeps its shape with no items: nulls, not NaN", () => {
        expect(summarisePerplexities([])).toEqual({
            items: 0, improved_vs_initial: null, improved_vs_empty: null, median_drop_vs_initial: null, median_drop_vs_empty: null
        });
    });

    it("does not reorder the caller's items", () => {
        const items = [d, c, a, b];
        summarisePerplexities(items);
        expect(items).toEqual([d, c, a, b]);
    });
});
