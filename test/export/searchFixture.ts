// A done record whose search accepted one rewrite: the trajectory z0 = A + B becomes
// A' + B at step 0 (A'' scored worse, a third candidate had no <refine> block, a fourth tied with A'), and
// step 1 found nothing better for B (its only candidate scored worse than the best).
import type { DoneRecord } from "../../src/trace/traceRecordSchema.js";
import { asDone, makeTraceRecord, score } from "../curation/traceRecordFixture.js";

export const segmentA = "The reader is a child at bedtime, so the story needs a gentle start, one clear fear and a brave turn near the end.";
export const segmentB = "The lighthouse gives the setting: the stairs, the lamp, the storm outside and the small boat that needs the light to get home.";
export const rewriteA = "A child will hear this at bedtime: start gently, name one fear plainly, and let courage arrive near the end.";
export const worseA = "Children like stories. The story should be a story about a lighthouse and a keeper in it.";
export const tiedA = "Bedtime listener: a soft opening, a single fear, and bravery at the close.";
export const worseB = "Describe the lighthouse.";

export function searchedRecord(overrides: Partial<DoneRecord> = {}): DoneRecord {
    return asDone(makeTraceRecord({
        id: "searched",
        z0: `${segmentA}\n\n${segmentB}`,
        z: `${rewriteA}\n\n${segmentB}`,
        segments: 2,
        score0: score(1.4),
        score: score(1.0),
        objective0: 1.4,
        objectiveFinal: 1.0,
        steps: [
            {
                pass: 1, segment: 0, original: segmentA, chosen: 0, best: 1.0, bestScore: score(1.0),
                candidates: [
                    { raw: `<refine>${rewriteA}</refine>`, text: rewriteA, status: "scored", score: score(1.0), objective: 1.0 },
                    { raw: `<refine>${worseA}</refine>`, text: worseA, status: "scored", score: score(1.5), objective: 1.5 },
                    { raw: "no block", status: "rejected", reason: "no-refine-block" },
                    // A tie with the accepted rewrite is no preference either way.
                    { raw: `<refine>${tiedA}</refine>`, text: tiedA, status: "scored", score: score(1.0), objective: 1.0 }
                ]
            },
            {
                pass: 1, segment: 1, original: segmentB, chosen: null, best: 1.0, bestScore: score(1.0),
                candidates: [{ raw: `<refine>${worseB}</refine>`, text: worseB, status: "scored", score: score(1.2), objective: 1.2 }]
            }
        ],
        ...overrides
    }));
}
