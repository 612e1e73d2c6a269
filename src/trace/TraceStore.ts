import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { OutputWriteError } from "../errors/outputErrors.js";
import { writeAllSync } from "../io/writeAll.js";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import { lastByteIsNewline, readTraceLines } from "./readTrace.js";
import { TraceLock } from "./TraceLock.js";
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

export type TraceStoreOpenOptions = {
    retryFailed: boolean;
    /** Hears notes such as a stale lock taken over (default: stderr). */
    onNote?: (note: string) => void;
    /**
     * The trace's lock, taken by the caller before its slow set-up (loading models) so a
     * second run is refused at once; the caller releases it. Absent: the store takes and
     * releases its own.
     */
    lock?: TraceLock;
};

/**
 * The synthesis output: one JSON line per item, appended with one write each and
 * fsynced, so a killed run loses at most the items in flight. While open, the store
 * holds the trace's lock (TraceLock), so a second run on the same file is refused. On
 * open, a missing folder is created, a torn final line (a write cut by SIGKILL) is
 * removed and, when failed items are to be retried, their old lines are dropped; both
 * rewrites replace the file atomically. An append that fails (a full disk) is cut back,
 * so the file keeps only whole lines, and throws an OutputWriteError.
 */
export class TraceStore {
    private lines: number;

    private constructor(public readonly file: string, private fd: number | undefined, private readonly ownLock: TraceLock | undefined, existing: number) {
        this.lines = existing;
    }

    public static async open(file: string, options: TraceStoreOpenOptions): Promise<{ store: TraceStore } & TraceStoreOpenResult> {
        try {
            mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        } catch (error) {
            throw new OutputWriteError(file, error, "nothing was written");
        }
        if (options.lock != null && options.lock.file !== TraceLock.lockFileOf(file))
            throw new Error(`TraceStore.open: the lock given is ${options.lock.file}, not the lock of ${file}`);
        const ownLock = options.lock != null ? undefined : TraceLock.acquire(file, options.onNote == null ? {} : { onNote: options.onNote });
        try {
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
            let fd: number;
            try {
                fd = openSync(file, "a");
            } catch (error) {
                throw new OutputWriteError(file, error, existsSync(file) ? `${file} was left as it was` : "nothing was written");
            }
            return { store: new TraceStore(file, fd, ownLock, existing.length), existing, repairedTornLine, droppedFailed };
        } catch (error) {
            ownLock?.release();
            throw error;
        }
    }

    /**
     * Appends one record as one line, durably. When the write or the flush fails, the
     * file is cut back to its previous end and an OutputWriteError says what it keeps.
     */
    public append(record: TraceRecord): void {
        if (this.fd == null)
            throw new Error("TraceStore is closed");
        const line = Buffer.from(JSON.stringify(record) + "\n", "utf8");
        const end = fstatSync(this.fd).size;
        try {
            writeAllSync(this.fd, line);
            fsyncSync(this.fd);
        } catch (error) {
            let cut = true;
            try {
                ftruncateSync(this.fd, end);
            } catch {
                cut = false;
            }
            throw new OutputWriteError(this.file, error,
                `item ${record.id} was not written, and the file keeps its ${this.lines} whole item(s)` +
                (cut ? "" : " plus an unfinished line that the next run removes") +
                "; fix the cause and run the same command again to resume");
        }
        this.lines++;
    }

    /** Closes the file and releases the lock it took (a lock given to `open` stays with its caller). */
    public close(): void {
        if (this.fd != null) {
            closeSync(this.fd);
            this.fd = undefined;
        }
        this.ownLock?.release();
    }
}
