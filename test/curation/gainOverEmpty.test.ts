import { describe, expect, it } from "vitest";
import { gainOverEmptyDetail } from "../../src/curation/filters/gainOverEmpty.js";
import { computeStats } from "../../src/stats/computeStats.js";
import { estimatedTokenCounter } from "../../src/model/tokenCounter.js";
import { doneRecord, score } from "../support/traceFixtures.js";

// Hand-made: the run's objective is the clipped mean NLL; no thinking scores 1.20 on every item.
const win = doneRecord({ id: "win", score: score(1.0, { ppl: 4 }), scoreEmpty: score(1.2, { ppl: 5 }) });
const narrow = doneRecord({ id: "narrow", score: score(1.18, { ppl: 4.9 }), scoreEmpty: score(1.2, { ppl: 5 }) });
const tie = doneRecord({ id: "tie", score: score(1.2, { ppl: 5 }), scoreEmpty: score(1.2, { ppl: 5 }) });
const loss = doneRecord({ id: "loss", score: score(1.3, { ppl: 6 }), scoreEmpty: score(1.2, { ppl: 5 }) });
const old = doneRecord({ id: "old" });
const legacy = doneRecord({ id: "legacy", score: score(1.0, { ppl: 4 }), scoreEmptyZ: score(1.2, { ppl: 5 }) });

describe("gain over no thinking", () => {
    it("keeps strict wins by the margin and drops ties, losses and records without the baseline", () => {
        expect(gainOverEmptyDetail(win, 0)).toBeUndefined();
        expect(gainOverEmptyDetail(narrow, 0)).toBeUndefined();
        expect(gainOverEmptyDetail(narrow, 0.05)).toBe("z* beats no thinking by 0.0200 < min 0.05");
        expect(gainOverEmptyDetail(win, 0.05)).toBeUndefined();
        expect(gainOverEmptyDetail(tie, 0)).toBe("z* beats no thinking by 0.0000 (no gain)");
        expect(gainOverEmptyDetail(loss, 0)).toBe("z* beats no thinking by -0.1000 (no gain)");
        expect(gainOverEmptyDetail(old, 0)).toMatch(/no no-thinking score recorded/u);
        // Records written before the field was renamed still count.
        expect(gainOverEmptyDetail(legacy, 0.1)).toBeUndefined();
    });

    it("stats count the items that beat no thinking and their PPL drops", () => {
        const report = computeStats([win, narrow, tie, loss, old], estimatedTokenCounter);
        // Four records carry the baseline; two beat it. Drops 1 - ppl/pplEmpty: 0.2, 0.02, 0, -0.2.
        expect(report.versusEmpty.items).toBe(4);
        expect(report.versusEmpty.beaten).toBe(2);
        expect(report.versusEmpty.pplDrop.median).toBeCloseTo(0.01, 12);
        expect(report.versusEmpty.pplDrop.min).toBeCloseTo(-0.2, 12);
    });
});
