import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { ReerError } from "../errors/ReerError.js";
import { traceRecordSchema, type TraceRecord } from "./traceRecordSchema.js";

export type StoredStatus = TraceRecord["status"];

export type TraceStoreOpenResult = {
    /** Status of every item already in the file, by resume key. */
    existing: Map<string, { status: StoredStatus; configHash: string }>;
    /** A torn last line (from a killed run) that was removed. */
    repairedTornLine: boolean;
    /** Failed items dropped so they can be retried. */
    droppedFailed: number;
};

/**
 * The synthesis output: one JSON line per item, appended with one write each and
 * fsynced, so a killed run loses at most the items in flight. On open, a torn final line
 * (a write cut by SIGKILL) is removed and, when failed items are to be retried, their
 * old lines are dropped; both rewrites go through a temporary file and a rename.
 */
export class TraceStore {
    private fd: number | undefined;

    private constructor(public readonly file: string) {}

    /**
     * Reads a trace file without changing it (another shard's output, say): valid lines
     * as records, with a torn last line ignored.
     */
    public static read(file: string): { records: TraceRecord[]; lines: string[]; tornTail: boolean } {
        const text = readFileSync(file, "utf8");
        const lines = text.split("\n");
        // Everything after the last newline is an unfinished write.
        const tail = lines.pop();
        const records: TraceRecord[] = [];
        const kept: string[] = [];
        lines.forEach((line, index) => {
            if (line.trim() === "")
                return;
            try {
                records.push(traceRecordSchema.parse(JSON.parse(line)));
                kept.push(line);
            } catch (error) {
                throw new ReerError("OUTPUT_CORRUPT", `${file} line ${index + 1} is not a reer trace record: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`,
                    "Pass a new --output file, or repair or delete this one.");
            }
        });
        return { records, lines: kept, tornTail: tail != null && tail !== "" };
    }

    public static open(file: string, options: { retryFailed: boolean }): { store: TraceStore } & TraceStoreOpenResult {
        const existing = new Map<string, { status: StoredStatus; configHash: string }>();
        let repairedTornLine = false;
        let droppedFailed = 0;
        if (existsSync(file)) {
            const { records, lines, tornTail } = TraceStore.read(file);
            repairedTornLine = tornTail;
            const kept: string[] = [];
            records.forEach((record, index) => {
                if (record.status === "failed" && options.retryFailed) {
                    droppedFailed++;
                    return;
                }
                existing.set(record.key, { status: record.status, configHash: record.configHash });
                kept.push(lines[index]!);
            });
            if (repairedTornLine || droppedFailed > 0) {
                const temporary = `${file}.tmp-${process.pid}`;
                writeFileSync(temporary, kept.map((line) => line + "\n").join(""));
                const fd = openSync(temporary, "r");
                fsyncSync(fd);
                closeSync(fd);
                renameSync(temporary, file);
            }
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
