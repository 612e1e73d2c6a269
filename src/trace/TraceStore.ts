import { existsSync, fsyncSync, openSync, closeSync, writeSync } from "node:fs";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { lastByteIsNewline, readTraceLines } from "./readTrace.js";
import type { TraceRecord, TraceStatus } from "./traceRecordSchema.js";

/** What an output file already holds for one item. */
export type StoredItem = { key: string; status: TraceStatus; configHash: string; settings?: Record<string, unknown> | undefined };

export type TraceStoreOpenResult = {
    /** Every item already in the file. */
    existing: StoredItem[];
    /** A torn last line (from a killed run) that was removed. */
    repairedTornLine: boolean;
    /** Failed items dropped so they can be retried. */
    droppedFailed: number;
};

/**
 * The synthesis output: one JSON line per item, appended with one write each and
 * fsynced, so a killed run loses at most the items in flight. On open, a torn final line
 * (a write cut by SIGKILL) is removed and, when failed items are to be retried, their
 * old lines are dropped; both rewrites replace the file atomically.
 */
export class TraceStore {
    private fd: number | undefined;

    private constructor(public readonly file: string) {}

    public static async open(file: string, options: { retryFailed: boolean }): Promise<{ store: TraceStore } & TraceStoreOpenResult> {
        const existing: StoredItem[] = [];
        let repairedTornLine = false;
        let droppedFailed = 0;
        if (existsSync(file)) {
            const kept: string[] = [];
            for await (const { record, text } of readTraceLines(file, { onTornTail: () => { repairedTornLine = true; } })) {
                if (record.status === "failed" && options.retryFailed) {
                    droppedFailed++;
                    continue;
                }
                existing.push({ key: record.key, status: record.status, configHash: record.configHash, settings: record.settings });
                kept.push(text);
            }
            // A last line without its newline would run into the next append.
            if (repairedTornLine || droppedFailed > 0 || !(await lastByteIsNewline(file)))
                writeFileAtomic(file, kept.map((line) => line + "\n").join(""));
        }
        const store = new TraceStore(file);
        store.fd = openSync(file, "a");
        return { store, existing, repairedTornLine, droppedFailed };
    }

    /** Appends one record as one line, durably. */
    public append(record: TraceRecord): void {
        if (this.fd == null)
            throw new Error("TraceStore is closed");
        writeSync(this.fd, JSON.stringify(record) + "\n");
        fsyncSync(this.fd);
    }

    public close(): void {
        if (this.fd != null) {
            closeSync(this.fd);
            this.fd = undefined;
        }
    }
}
