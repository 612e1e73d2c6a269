import type { TraceRecord } from "../../trace/traceRecordSchema.js";

/** How much the search lowered the clipped mean NLL of y: score0 - score (positive is better). */
export function scoreImprovement(record: TraceRecord): number | undefined {
    if (record.status !== "done")
        return undefined;
    return record.score0.clippedMeanNll - record.score.clippedMeanNll;
}

/**
 * Minimum-improvement filter: an item whose search barely moved the score kept
 * (nearly) its initial trajectory, which the refinement was meant to improve on.
 */
export function improvementDetail(record: TraceRecord, min: number): string | undefined {
    const gain = scoreImprovement(record);
    if (gain == null)
        return "no score0 or score recorded";
    return gain < min ? `clipped mean NLL improved by ${gain.toFixed(4)} < min ${min}` : undefined;
}
