import { describe, expect, it } from "vitest";
import { histogram } from "../../src/report/histogram.js";
import { buildReportData } from "../../src/report/reportData.js";
import { runFacts } from "../../src/report/runFacts.js";
import { sampleTrace } from "../support/traceFixtures.js";

describe("buildReportData", () => {
    const data = buildReportData(sampleTrace());

    it("averages the objective drop per step index over the items that ran it", () => {
        expect(data.stepGain.step).toEqual([1, 2, 3, 4, 5]);
        expect(data.stepGain.items).toEqual([3, 3, 3, 2, 1]);
        expect(data.stepGain.accepted).toEqual([2, 2, 0, 2, 0]);
        // Step 1: lighthouse kept (0), tricky -0.022, bread -0.12.
        expect(data.stepGain.meanGain[0]).toBeCloseTo((0 + 0.022 + 0.12) / 3, 9);
        expect(data.stepGain.meanGain[2]).toBe(0);
    });

    it("tracks the running best per item, most improved first, and a mean that carries finished items forward", () => {
        expect(data.runningBest.series.map((series) => series.item)).toEqual([2, 0, 1]);
        expect(data.runningBest.series[0]!.values[0]).toBe(1.61);
        expect(data.runningBest.series[0]!.values).toHaveLength(6);
        expect(data.runningBest.mean).toHaveLength(6);
        expect(data.runningBest.mean[5]).toBeCloseTo((1.35 + 1.325 + 1.058) / 3, 9);
    });

    it("counts visits and accepted rewrites by segment position", () => {
        expect(data.acceptance).toEqual({ segment: [0, 1, 2, 3, 4], visits: [3, 3, 3, 2, 1], accepted: [2, 2, 0, 2, 0] });
    });

    it("tallies statuses and candidate outcomes", () => {
        expect(data.status).toEqual({ labels: ["done", "skipped", "failed"], counts: [3, 1, 1] });
        expect(data.candidates.labels.slice(0, 3)).toEqual(["accepted", "scored, not better", "rejected: no-refine-block"]);
        expect(data.candidates.counts.slice(0, 3)).toEqual([6, 12, 3]);
    });

    it("measures lengths in code points and y in scored tokens", () => {
        const counts = (series: { counts: number[] }) => series.counts.reduce((sum, count) => sum + count, 0);
        expect(counts(data.lengths.x.series[0]!)).toBe(5);
        expect(counts(data.lengths.yTokens.series[0]!)).toBe(3);
        expect(data.lengths.z.series.map((series) => series.label)).toEqual(["z0 (initial)", "z (final)"]);
        expect(data.items[3]!.xPreview).toBe(sampleTrace()[3]!.x);
    });
});

describe("histogram", () => {
    it("uses round bin widths shared by every series", () => {
        const result = histogram([{ label: "a", values: [0, 5, 99, 100, 250] }, { label: "b", values: [260, 260] }]);
        // Seven values: about sqrt(7) bins over 0..260, widened to a round 100.
        expect(result.width).toBe(100);
        expect(result.labels).toEqual(["0–99", "100–199", "200–299"]);
        expect(result.series[0]!.counts).toEqual([3, 1, 1]);
        expect(result.series[0]!.counts.reduce((sum, count) => sum + count, 0)).toBe(5);
        expect(result.series[1]!.counts.at(-1)).toBe(2);
        expect(result.edges).toHaveLength(result.series[1]!.counts.length);
    });

    it("gives one bin for equal values and none for no values", () => {
        expect(histogram([{ label: "a", values: [7, 7, 7] }])).toMatchObject({ labels: ["7"], series: [{ counts: [3] }] });
        expect(histogram([{ label: "a", values: [] }]).labels).toEqual([]);
    });
});

describe("runFacts", () => {
    it("summarises the run for the header", () => {
        const facts = Object.fromEntries(runFacts(sampleTrace()).map((fact) => [fact.label, fact.value]));
        expect(facts.Items).toBe("5 (3 done, 1 skipped, 1 failed)");
        expect(facts.Seed).toBe("7");
        expect(facts["Config hash"]).toBe("f00dfeedf00dfeed");
        expect(facts.Steps).toBe("12 (6 accepted, 50%)");
        expect(facts.Scorer).toContain("Qwen2.5-1.5B-Instruct");
    });
});
