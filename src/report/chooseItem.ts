import { ReerError } from "../errors/ReerError.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * How much the search lowered the item's objective (what it minimised, so the ranking
 * agrees with the run's own notion of better), falling back to the clipped mean NLL.
 * Undefined for items that were never scored.
 */
export function improvementOf(record: TraceRecord): number | undefined {
    return record.status === "done" ? record.objective0 - record.objectiveFinal : undefined;
}

/**
 * The item the report opens on: `itemId` (matched against id, then the resume key) when
 * given, else the one with the largest improvement (the first on ties), else the first
 * item with a trajectory, else the first item. Returns its index in `records`.
 */
export function chooseItem(records: readonly TraceRecord[], itemId?: string): number {
    if (records.length === 0)
        throw new ReerError("REPORT_EMPTY", "The trace holds no records, so there is nothing to report.",
            "Point reer report at the JSONL written by `reer synthesize` once it has finished at least one item.");
    if (itemId != null) {
        let index = records.findIndex((record) => record.id === itemId);
        if (index < 0)
            index = records.findIndex((record) => record.key === itemId);
        if (index < 0) {
            const some = records.slice(0, 5).map((record) => JSON.stringify(record.id)).join(", ");
            throw new ReerError("REPORT_ITEM_NOT_FOUND", `No item with id ${JSON.stringify(itemId)} in the trace.`,
                `Use one of the trace's ids (${some}${records.length > 5 ? ", ..." : ""}), or leave out --item for the most improved one.`);
        }
        return index;
    }
    let best = -1;
    let bestGain = Number.NEGATIVE_INFINITY;
    records.forEach((record, index) => {
        const gain = improvementOf(record);
        if (gain != null && record.z0 != null && gain > bestGain) {
            best = index;
            bestGain = gain;
        }
    });
    if (best >= 0)
        return best;
    const withTrajectory = records.findIndex((record) => record.z0 != null);
    return withTrajectory >= 0 ? withTrajectory : 0;
}
