import { describe, expect, it } from "vitest";
import { countByProposer, countEditTurns, describeEditTurns } from "../../src/trace/editTurns.js";
import type { TraceCandidate, TraceStep } from "../../src/trace/traceRecordSchema.js";
import { doneRecord, score, skippedRecord } from "../support/traceFixtures.js";

const turn = (status: "scored" | "rejected", reason?: TraceCandidate["reason"]): TraceCandidate =>
    ({ raw: "turn", status, ...(reason == null ? {} : { reason }), ...(status === "scored" ? { text: "a rewrite", score: score(1), objective: 1 } : {}) });

const step = (candidates: TraceCandidate[]): TraceStep =>
    ({ pass: 1, segment: 0, original: "old", candidates, chosen: null, best: 1, bestScore: score(1) });

describe("countEditTurns", () => {
    it("counts every candidate of every step, hand-tallied", () => {
        const records = [
            doneRecord({ steps: [step([turn("scored"), turn("rejected", "no-refine-block")]), step([turn("rejected", "too-long"), turn("rejected", "identical")])] }),
            doneRecord({ id: "b", steps: [step([turn("rejected", "empty"), turn("rejected", "unclosed"), turn("rejected", "copies-response")])] }),
            skippedRecord({ id: "c" })
        ];
        // usable: scored, too-long, identical, copies-response = 4; unusable: no-refine-block, empty, unclosed = 3.
        expect(countEditTurns(records)).toEqual({ turns: 7, usable: 4, tooLong: 1, unusable: 3 });
        expect(describeEditTurns(countEditTurns(records))).toBe("7 edit turn(s): 4 usable (57.1%), 1 of them refused as too long; 3 unusable (no, empty or unclosed <refine> block)");
    });

    it("says so when no turn was taken", () => {
        expect(describeEditTurns(countEditTurns([skippedRecord()]))).toBe("no edit turns");
    });
});

describe("countByProposer", () => {
    it("counts candidates, usable ones and accepted ones per proposer, by hand", () => {
        const resampled = (status: "scored" | "rejected", reason?: TraceCandidate["reason"]): TraceCandidate => ({ ...turn(status, reason), proposer: "resample" });
        const removal = (chosen: boolean): TraceStep => ({ ...step([{ raw: "", text: "", proposer: "prune", status: "scored", score: score(1), objective: 1 }]), pass: 2, chosen: chosen ? 0 : null });
        const accepted: TraceStep = { ...step([turn("scored"), resampled("scored")]), chosen: 1 };
        const records = [doneRecord({ steps: [accepted, step([turn("rejected", "no-refine-block"), resampled("rejected", "identical")]), removal(true), removal(false)] })];
        expect(countByProposer(records)).toEqual({
            rewrite: { candidates: 2, usable: 1, accepted: 0 },
            resample: { candidates: 2, usable: 2, accepted: 1 },
            prune: { candidates: 2, usable: 2, accepted: 1 }
        });
        // Only the two edit turns are turns: resampled paragraphs and removals are not.
        expect(countEditTurns(records)).toEqual({ turns: 2, usable: 1, tooLong: 0, unusable: 1 });
    });
});
