import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { joinSegments, segmentText } from "../text/segmentText.js";

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
 * Rebuilds z0 and z segment by segment. The trace stores z0 as its trimmed segments
 * joined by blank lines, so segmenting it again with the synthesis rule gives the same
 * segments; replaying the accepted steps on them must then reproduce every step's
 * `original` and the final z, which is checked, not assumed.
 */
export function compareTrajectories(record: TraceRecord): TrajectoryComparison | undefined {
    if (record.z0 == null)
        return undefined;
    const z0 = record.z0;
    const z = record.z ?? z0;
    const segments0 = segmentText(z0).map((segment) => segment.trim()).filter((segment) => segment !== "");
    const current = [...segments0];
    const visits: SegmentVisit[][] = segments0.map(() => []);
    let previousBest = record.objective0;
    let consistent = record.segments == null || record.segments === segments0.length;

    record.steps.forEach((step, position) => {
        if (current[step.segment] !== step.original.trim())
            consistent = false;
        const chosen = step.chosen == null ? undefined : step.candidates[step.chosen];
        const accepted = chosen?.text != null;
        if (accepted && step.segment < current.length)
            current[step.segment] = chosen.text!.trim();
        visits[step.segment]?.push({
            step: position + 1,
            pass: step.pass,
            accepted,
            gain: previousBest == null ? 0 : Math.max(0, previousBest - step.best),
            candidates: step.candidates.length,
            rejected: step.candidates.flatMap((candidate) => candidate.reason == null ? [] : [candidate.reason])
        });
        previousBest = step.best;
    });

    if (!consistent || joinSegments(current) !== z)
        return { exact: false, segments: [{ index: 0, before: z0, after: z, changed: z0 !== z, visits: [] }] };
    return {
        exact: true,
        segments: segments0.map((before, index) => ({
            index,
            before,
            after: current[index]!,
            changed: before !== current[index],
            visits: visits[index]!
        }))
    };
}
