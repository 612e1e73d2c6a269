import { describe, expect, it } from "vitest";
import { compareTrajectories } from "../../src/report/trajectorySegments.js";
import { paperDoneRecord, sampleTrace } from "../support/traceFixtures.js";

const long = (words: string) => `${words} `.repeat(8).trim();

describe("compareTrajectories", () => {
    it("recovers z0's segments and pairs each with its final text", () => {
        const bread = sampleTrace()[2]!;
        const comparison = compareTrajectories(bread)!;
        expect(comparison.exact).toBe(true);
        expect(comparison.segments.map((segment) => segment.changed)).toEqual([true, true, false, true, false]);
        expect(comparison.segments[0]!.after).toBe(bread.steps[0]!.candidates[bread.steps[0]!.chosen!]!.text);
        expect(comparison.segments[2]!.before).toBe(comparison.segments[2]!.after);
        expect(comparison.segments[1]!.visits).toEqual([{ step: 2, pass: 1, accepted: true, gain: expect.closeTo(0.09, 9), candidates: 2, rejected: [] }]);
        expect(comparison.segments[2]!.visits[0]).toMatchObject({ accepted: false, gain: 0, rejected: ["no-refine-block", "no-refine-block"] });
    });

    it("follows a segment rewritten again in a second pass", () => {
        const record = paperDoneRecord(1, {
            id: "two-pass", x: "x", y: "y",
            segments: [long("first segment of the thinking"), long("second segment of the thinking")],
            score0: 1,
            steps: [
                { segment: 0, rewrite: long("first rewrite"), gain: 0.1 },
                { segment: 1 },
                { segment: 0, rewrite: long("second rewrite"), gain: 0.05, pass: 2 }
            ]
        });
        const comparison = compareTrajectories(record)!;
        expect(comparison.exact).toBe(true);
        expect(comparison.segments[0]).toMatchObject({ changed: true, before: long("first segment of the thinking"), after: long("second rewrite") });
        expect(comparison.segments[0]!.visits.map((visit) => [visit.step, visit.pass])).toEqual([[1, 1], [3, 2]]);
        expect(comparison.segments[1]!.changed).toBe(false);
    });

    it("falls back to z0 against z whole when the steps do not replay onto z0", () => {
        const record = { ...sampleTrace()[0]!, z: "something else entirely" };
        expect(compareTrajectories(record)).toEqual({
            exact: false,
            segments: [{ index: 0, before: record.z0, after: "something else entirely", changed: true, visits: [] }]
        });
    });

    it("has nothing to compare for an item without a trajectory", () => {
        expect(compareTrajectories(sampleTrace()[3]!)).toBeUndefined();
    });
});
