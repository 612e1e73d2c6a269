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

/**
 * The note a command prints when a trace repeats ids (a retried item, shard files or one
 * trace appended to itself): how many, which, and what the command does about it.
 */
export function describeDuplicateIds(file: string, duplicates: readonly string[], records: number, latest: number, doing: string): string {
    const shown = duplicates.slice(0, 5).map((id) => JSON.stringify(id)).join(", ") + (duplicates.length > 5 ? ", ..." : "");
    return `note: ${duplicates.length} id(s) appear on more than one line of ${file} (${records} records, ${latest} distinct ids); ${doing} the last record of each: ${shown}\n`;
}
