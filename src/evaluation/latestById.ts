import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * One record per id: the last one in the trace, since a later line is a later attempt (a
 * retried item, or a shard file appended after another), kept at the position of that
 * last line. `duplicates` lists the ids that had more than one, in order of first appearance.
 */
export function latestById(records: readonly TraceRecord[]): { records: TraceRecord[]; duplicates: string[] } {
    const lastIndex = new Map<string, number>();
    const counts = new Map<string, number>();
    records.forEach((record, index) => {
        lastIndex.set(record.id, index);
        counts.set(record.id, (counts.get(record.id) ?? 0) + 1);
    });
    return {
        records: records.filter((record, index) => lastIndex.get(record.id) === index),
        duplicates: [...counts].filter(([, count]) => count > 1).map(([id]) => id)
    };
}
