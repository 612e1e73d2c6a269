import { replaySteps, trajectorySegments } from "../trace/replaySteps.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/** One visit of a segment, as the report shows it next to the segment. */
export type SegmentVisit = {
    /** 1-based position of the step in the item's step list. */
    step: number;
    pass: number;
    accepted: boolean;
    /** Objective drop of this step (0 when the original was kept). */
    gain: number;
    candidates: number;
    /** Rejection reasons of candidates never scored, e.g. "no-refine-block". */
    rejected: string[];
};

export type SegmentChange = {
    index: number;
    before: string;
    after: string;
    changed: boolean;
    visits: SegmentVisit[];
};

export type TrajectoryComparison = {
    segments: SegmentChange[];
    /**
     * False when the segment boundaries could not be recovered from z0 and the steps; the
     * comparison then holds one block, z0 against z.
     */
    exact: boolean;
};

/**
 * z0 and z segment by segment, from the trace's own step replay; a record that did not
 * finish shows its z0 unchanged. Undefined when the record has no trajectory at all.
 */
export function compareTrajectories(record: TraceRecord): TrajectoryComparison | undefined {
    if (record.z0 == null)
        return undefined;
    if (record.status !== "done") {
        const segments = trajectorySegments(record.z0);
        return { exact: true, segments: segments.map((text, index) => ({ index, before: text, after: text, changed: false, visits: [] })) };
    }
    const replay = replaySteps(record);
    if (replay == null)
        return { exact: false, segments: [{ index: 0, before: record.z0, after: record.z, changed: record.z0 !== record.z, visits: [] }] };
    const visits: SegmentVisit[][] = replay.segments0.map(() => []);
    for (const { index, step, objectiveBefore } of replay.states) {
        visits[step.segment]?.push({
            step: index + 1,
            pass: step.pass,
            accepted: step.chosen != null,
            gain: Math.max(0, objectiveBefore - step.best),
            candidates: step.candidates.length,
            rejected: step.candidates.flatMap((candidate) => candidate.reason == null ? [] : [candidate.reason])
        });
    }
    return {
        exact: true,
        segments: replay.segments0.map((before, index) => ({
            index,
            before,
            after: replay.final[index]!,
            changed: before !== replay.final[index],
            visits: visits[index]!
        }))
    };
}
