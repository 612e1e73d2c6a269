import { joinSegments, segmentText } from "../text/segmentText.js";
import type { TraceRecord } from "./traceRecordSchema.js";

type Step = TraceRecord["steps"][number];

/** A step of the search with the trajectory as it stood when the step began. */
export type StepState = {
    index: number;
    step: Step;
    /** The segments before the step ran (the edited one at step.segment). */
    segments: readonly string[];
    /** The objective of that trajectory: the best so far (undefined when the record lacks objective0). */
    objectiveBefore: number | undefined;
};

/**
 * Rebuilds the trajectory before every step. A trace keeps z0 and each step's edit but
 * not the segment list, so z0 is segmented again: segmentation is stable under
 * segment-then-join (the joined text splits back into the same segments). The replay is
 * checked at every step (the segment it edits must equal the step's `original`) and at
 * the end (the result must equal z), and gives undefined when any check fails, so no
 * pair is ever built from a misplaced edit.
 */
export function replaySteps(record: TraceRecord): StepState[] | undefined {
    if (record.z0 == null || record.z == null)
        return undefined;
    const segments = segmentText(record.z0).map((segment) => segment.trim()).filter((segment) => segment !== "");
    if (joinSegments(segments) !== record.z0 || (record.segments != null && segments.length !== record.segments))
        return undefined;
    const states: StepState[] = [];
    let objective = record.objective0;
    for (const [index, step] of record.steps.entries()) {
        if (segments[step.segment] !== step.original.trim())
            return undefined;
        states.push({ index, step, segments: [...segments], objectiveBefore: objective });
        if (step.chosen != null) {
            const text = step.candidates[step.chosen]?.text;
            if (text == null)
                return undefined;
            segments[step.segment] = text.trim();
        }
        objective = step.best;
    }
    return joinSegments(segments) === record.z ? states : undefined;
}

/** The trajectory of a state with one segment replaced. */
export function withSegment(segments: readonly string[], index: number, text: string): string {
    return joinSegments(segments.map((segment, position) => (position === index ? text : segment)));
}
