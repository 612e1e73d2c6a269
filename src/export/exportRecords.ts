import { ReerError } from "../errors/ReerError.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { assistantTurn, chatMessages, completionRow, messagesRow, shareGptRow, type CompletionRow, type MessagesRow, type ShareGptRow } from "./chatRows.js";
import type { ExportFormat } from "./exportFormats.js";
import type { ParquetRow } from "./parquetExport.js";
import { preferencePairs, type PreferencePair } from "./preferencePairs.js";

export type ExportOptions = {
    format: ExportFormat;
    /** System message for the chat formats (messages, sharegpt, parquet). */
    system?: string;
    /** preference: also pair each accepted rewrite with the segment it replaced. */
    pairWithOriginal?: boolean;
};

export type ExportRow = MessagesRow | ShareGptRow | CompletionRow | PreferencePair | ParquetRow;

export type ExportCounts = {
    read: number;
    /** Items that produced output (for preference: items with at least one pair). */
    exported: number;
    rows: number;
    /** Items skipped because they are not done, by status. */
    skippedByStatus: Record<string, number>;
    /** Done items without z (a malformed trace). */
    skippedNoZ: number;
    /** preference: done items whose steps could not be replayed onto z0. */
    unreplayable: number;
    /** preference: done items whose search accepted no rewrite with a worse scored alternative. */
    withoutPairs: number;
};

/**
 * Turns trace records (normally `reer curate` output) into training rows of one format.
 * Only done items are exported; the rest are counted by status. Rows keep the same keys
 * on every line, as the `datasets` JSON loader expects.
 */
export function exportRecords(records: Iterable<TraceRecord>, options: ExportOptions): { rows: ExportRow[]; counts: ExportCounts } {
    if (options.system != null && (options.format === "completion" || options.format === "preference"))
        throw new ReerError("INVALID_OPTION", `--system has no place in the ${options.format} format, whose prompt is x as plain text.`,
            "Use --format messages, sharegpt or parquet for a system message, or apply your chat template when training.");
    if (options.pairWithOriginal === true && options.format !== "preference")
        throw new ReerError("INVALID_OPTION", `--pair-with-original has no place in the ${options.format} format: it pairs each accepted rewrite with the segment it replaced, which only preference pairs hold.`,
            "Add --format preference, or leave out --pair-with-original.");
    const counts: ExportCounts = { read: 0, exported: 0, rows: 0, skippedByStatus: {}, skippedNoZ: 0, unreplayable: 0, withoutPairs: 0 };
    const rows: ExportRow[] = [];
    for (const record of records) {
        counts.read++;
        if (record.status !== "done") {
            counts.skippedByStatus[record.status] = (counts.skippedByStatus[record.status] ?? 0) + 1;
            continue;
        }
        const z = record.z;
        if (z == null) {
            counts.skippedNoZ++;
            continue;
        }
        const produced = rowsOf(record, z, options);
        if (produced === "unreplayable") {
            counts.unreplayable++;
            continue;
        }
        if (produced.length === 0) {
            counts.withoutPairs++;
            continue;
        }
        counts.exported++;
        counts.rows += produced.length;
        rows.push(...produced);
    }
    return { rows, counts };
}

function rowsOf(record: TraceRecord, z: string, options: ExportOptions): ExportRow[] | "unreplayable" {
    const { id, x, y } = record;
    switch (options.format) {
        case "messages":
            return [messagesRow(id, x, z, y, options.system)];
        case "sharegpt":
            return [shareGptRow(id, x, z, y, options.system)];
        case "completion":
            return [completionRow(id, x, z, y)];
        case "parquet":
            return [{ id, prompt: x, completion: assistantTurn(z, y), messages: chatMessages(x, z, y, options.system) }];
        case "preference":
            return preferencePairs(record, { pairWithOriginal: options.pairWithOriginal === true }) ?? "unreplayable";
    }
}

/** One line for the terminal: what was written and what was skipped. */
export function describeExport(counts: ExportCounts, format: ExportFormat, output: string | undefined): string {
    const skipped = Object.entries(counts.skippedByStatus).map(([status, count]) => `${count} ${status}`);
    if (counts.skippedNoZ > 0)
        skipped.push(`${counts.skippedNoZ} done without z`);
    if (counts.unreplayable > 0)
        skipped.push(`${counts.unreplayable} whose steps could not be replayed`);
    if (counts.withoutPairs > 0)
        skipped.push(`${counts.withoutPairs} without a preference pair`);
    const what = format === "preference" ? `${counts.rows} pair(s) from ${counts.exported} item(s)` : `${counts.rows} item(s)`;
    return `reer export: ${what} written as ${format} to ${output ?? "stdout"} (${counts.read} read` +
        (skipped.length === 0 ? ")" : `; skipped ${skipped.join(", ")})`) + "\n";
}
