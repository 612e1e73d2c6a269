import type { TraceRecord } from "../trace/traceRecordSchema.js";

export type MergeSource = { file: string; records: TraceRecord[] };

export type MergeResult = {
    /** One record per input item found, in input order. */
    merged: TraceRecord[];
    /** Input items found in no file. */
    missing: string[];
    /** Items found more than once: which files, and which copy was kept. */
    duplicates: { key: string; files: string[]; kept: string }[];
    /** Records whose item is not in the input. */
    unknown: { key: string; file: string }[];
};

const preference: Record<TraceRecord["status"], number> = { done: 0, skipped: 1, failed: 2 };

/**
 * Combines shard outputs against the input: every input item exactly once. When an item
 * appears more than once (shards of different counts, a failed try then a retry), the
 * best status wins (done, then skipped, then failed), then the first file given.
 */
export function mergeTraces(inputKeys: string[], sources: MergeSource[]): MergeResult {
    const found = new Map<string, { record: TraceRecord; file: string; files: string[] }>();
    const unknown: MergeResult["unknown"] = [];
    const wanted = new Set(inputKeys);
    for (const { file, records } of sources) {
        for (const record of records) {
            if (!wanted.has(record.key)) {
                unknown.push({ key: record.key, file });
                continue;
            }
            const current = found.get(record.key);
            if (current == null) {
                found.set(record.key, { record, file, files: [file] });
                continue;
            }
            current.files.push(file);
            if (preference[record.status] < preference[current.record.status]) {
                current.record = record;
                current.file = file;
            }
        }
    }
    const merged: TraceRecord[] = [];
    const missing: string[] = [];
    for (const key of inputKeys) {
        const entry = found.get(key);
        if (entry == null)
            missing.push(key);
        else
            merged.push(entry.record);
    }
    const duplicates = [...found.entries()]
        .filter(([, entry]) => entry.files.length > 1)
        .map(([key, entry]) => ({ key, files: entry.files, kept: entry.file }));
    return { merged, missing, duplicates, unknown };
}
