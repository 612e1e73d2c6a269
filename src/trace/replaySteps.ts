import { joinSegments, segmentText } from "../text/segmentText.js";
import type { DoneRecord, TraceStep } from "./traceRecordSchema.js";

/** A step of the search with the trajectory as it stood when the step began. */
export type StepState = {
    index: number;
    step: TraceStep;
    /** The segments before the step ran (the edited one at step.segment). */
    segments: readonly string[];
    /** The objective of that trajectory: the best so far. */
    objectiveBefore: number;
};

/** A done record's search, step by step: the segments of z0, the state before every step, the segments of z. */
export type Replay = { segments0: readonly string[]; states: StepState[]; final: readonly string[] };

/** The segments of a stored trajectory, as the search cut it (stored trajectories are already normalised). */
export function trajectorySegments(z: string): string[] {
    return segmentText(z).map((segment) => segment.trim()).filter((segment) => segment !== "");
}

/**
 * Rebuilds the trajectory before every step. A trace keeps z0 and each step's edit but
 * not the segment list, so z0 is segmented again: segmentation is stable under
 * segment-then-join (the joined text splits back into the same segments). The replay is
 * checked at every step (the segment it edits must equal the step's `original`) and at
 * the end (the result must equal z), and gives undefined when any check fails, so nothing
 * is ever built on a misplaced edit.
 */
export function replaySteps(record: DoneRecord): Replay | undefined {
    const segments0 = trajectorySegments(record.z0);
    if (joinSegments(segments0) !== record.z0 || segments0.length !== record.segments)
        return undefined;
    const segments = [...segments0];
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
    return joinSegments(segments) === record.z ? { segments0, states, final: segments } : undefined;
}

/** The trajectory of a state with one segment replaced. */
export function withSegment(segments: readonly string[], index: number, text: string): string {
    return joinSegments(segments.map((segment, position) => (position === index ? text : segment)));
}
