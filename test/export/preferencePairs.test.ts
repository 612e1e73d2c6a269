import { describe, expect, it } from "vitest";
import { exportRecords } from "../../src/export/exportRecords.js";
import { preferencePairs } from "../../src/export/preferencePairs.js";
import { replaySteps } from "../../src/trace/replaySteps.js";
import { doneRecord, oneRewrite, oneRewriteRecord } from "../support/traceFixtures.js";

const { rewriteA, segmentA, segmentB, worseA } = oneRewrite;

/** The training text of a trajectory and answer, written out: the thinking in a <think> block, a blank line, the answer. */
const turn = (segments: string[], y: string) => "<think>\n" + segments.join("\n\n") + "\n</think>\n\n" + y;

describe("replaySteps", () => {
    it("rebuilds the trajectory before each step", () => {
        const states = replaySteps(oneRewriteRecord())!.states;
        expect(states.map((state) => [state.segments, state.objectiveBefore])).toEqual([
            [[segmentA, segmentB], 1.4],
            [[rewriteA, segmentB], 1.0]
        ]);
    });

    it("refuses a trace whose steps do not fit z0 or z", () => {
        const record = oneRewriteRecord();
        expect(replaySteps({ ...record, steps: [{ ...record.steps[0]!, original: "something else" }, record.steps[1]!] })).toBeUndefined();
        expect(replaySteps({ ...record, z: `${worseA}\n\n${segmentB}` })).toBeUndefined();
        expect(replaySteps({ ...record, segments: 3 })).toBeUndefined();
    });
});

describe("preferencePairs", () => {
    const x = oneRewriteRecord().x;
    const y = oneRewriteRecord().y;

    it("pairs the accepted rewrite with each worse-scored rewrite of the same step", () => {
        expect(preferencePairs(oneRewriteRecord())).toEqual([{
            id: "searched",
            step: 0,
            prompt: x,
            chosen: turn([rewriteA, segmentB], y),
            rejected: turn([worseA, segmentB], y),
            chosenScore: 1.0,
            rejectedScore: 1.5,
            rejectedFrom: "candidate"
        }]);
    });

    it("adds the replaced segment as a rejected option on request", () => {
        const pairs = preferencePairs(oneRewriteRecord(), { pairWithOriginal: true })!;
        expect(pairs).toHaveLength(2);
        expect(pairs[1]).toMatchObject({ step: 0, rejected: turn([segmentA, segmentB], y), rejectedScore: 1.4, rejectedFrom: "original" });
    });

    it("makes no pairs from a search that accepted nothing, and counts unreplayable items", () => {
        expect(preferencePairs(doneRecord())).toEqual([]);
        const broken = oneRewriteRecord({ id: "broken", z: "not what the steps give" });
        const { rows, counts } = exportRecords([oneRewriteRecord(), doneRecord({ id: "flat" }), broken], { format: "preference" });
        expect(rows).toHaveLength(1);
        expect(counts).toMatchObject({ read: 3, exported: 1, rows: 1, withoutPairs: 1, unreplayable: 1 });
    });
});
