import { once } from "node:events";
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { OutputWriteError } from "../errors/outputErrors.js";
import { writeAllSync } from "./writeAll.js";
import { leftUnchanged, temporaryPathFor } from "./writeFileAtomic.js";

/** Where lines go: stdout, or a file written under a temporary name and renamed at the end. */
type Sink =
    | { kind: "stdout" }
    | { kind: "file"; target: string; label: string; existed: boolean; mode: number | undefined }
    | { kind: "device"; target: string; label: string };

const FLUSH_BYTES = 1 << 20;

/**
 * Writes one JSON object per line. To a file, the lines go to a temporary file next to it
 * (created at the first flush, together with a missing folder), which `commit` flushes to
 * disk and renames over the file: until then an existing file stays exactly as it was, and
 * `discard` (or a failed write) removes the temporary and leaves it so. A device such as
 * /dev/null is written in place. Write failures are OutputWriteErrors.
 *
 * The file work is synchronous: no write is ever half done when a signal handler runs, so
 * `keepNow` can put what was written in place from a handler that exits right after.
 */
export class JsonlWriter {
    private fd: number | undefined;
    private temporary: string | undefined;
    private pending: string[] = [];
    private pendingBytes = 0;
    private lines = 0;
    private state: "open" | "finished" | "committed" | "discarded" = "open";
    /** Removes the temporary file if the process exits before commit, discard or keepNow. */
    private readonly onExit = (): void => {
        if (this.temporary != null)
            rmSync(this.temporary, { force: true });
    };

    private constructor(private readonly sink: Sink) {}

    public static toStdout(): JsonlWriter {
        return new JsonlWriter({ kind: "stdout" });
    }

    /** `target` is the real path to replace; `label` names it in messages. */
    public static toFile(target: string, options: { label?: string; device?: boolean } = {}): JsonlWriter {
        const label = options.label ?? target;
        if (options.device === true)
            return new JsonlWriter({ kind: "device", target, label });
        const previous = statSync(target, { throwIfNoEntry: false });
        return new JsonlWriter({ kind: "file", target, label, existed: previous != null, mode: previous == null ? undefined : previous.mode & 0o7777 });
    }

    /** Lines written so far (to stdout, or accepted for the file). */
    public get written(): number {
        return this.lines;
    }

    public async write(value: unknown): Promise<void> {
        const line = JSON.stringify(value) + "\n";
        if (this.sink.kind === "stdout") {
            this.lines++;
            if (!process.stdout.write(line))
                await once(process.stdout, "drain");
            return;
        }
        if (this.state !== "open")
            throw new Error(`JsonlWriter for ${this.sink.label} is ${this.state}`);
        this.pending.push(line);
        this.pendingBytes += line.length;
        this.lines++;
        if (this.pendingBytes >= FLUSH_BYTES)
            this.flush();
    }

    /** Writes everything out and closes the file, without replacing the output yet. */
    public async finish(): Promise<void> {
        this.finishNow();
    }

    /** Finishes, then puts the new content in place of the output. */
    public async commit(): Promise<void> {
        this.commitNow();
    }

    /**
     * commit, synchronously, from any state but discarded: for a signal handler that exits
     * the process right after, so the lines written so far are kept as a whole file.
     */
    public keepNow(): void {
        if (this.state !== "discarded")
            this.commitNow();
    }

    /** Drops what was written; an existing output stays as it was. Safe to call more than once. */
    public async discard(): Promise<void> {
        this.discardNow();
    }

    private finishNow(): void {
        if (this.sink.kind === "stdout" || this.state !== "open")
            return;
        this.flush();
        const sink = this.sink;
        this.guard(() => {
            if (sink.kind === "file")
                fsyncSync(this.fd!);
            closeSync(this.fd!);
            this.fd = undefined;
        });
        this.state = "finished";
    }

    private commitNow(): void {
        if (this.sink.kind === "stdout" || this.state === "committed")
            return;
        if (this.state === "discarded")
            throw new Error(`JsonlWriter for ${this.sink.label} was discarded`);
        this.finishNow();
        const sink = this.sink;
        if (sink.kind === "file")
            this.guard(() => renameSync(this.temporary!, sink.target));
        process.off("exit", this.onExit);
        this.state = "committed";
    }

    private discardNow(): void {
        if (this.sink.kind === "stdout" || this.state === "committed" || this.state === "discarded")
            return;
        this.state = "discarded";
        this.pending = [];
        if (this.fd != null) {
            try {
                closeSync(this.fd);
            } catch {
                // Already failing; the temporary goes anyway.
            }
            this.fd = undefined;
        }
        if (this.temporary != null)
            rmSync(this.temporary, { force: true });
        process.off("exit", this.onExit);
    }

    /** Opens the file at the first flush (so a discarded writer leaves no trace) and writes the pending lines. */
    private flush(): void {
        const sink = this.sink;
        if (sink.kind === "stdout")
            return;
        this.guard(() => {
            if (this.fd == null) {
                if (sink.kind === "file") {
                    mkdirSync(path.dirname(sink.target), { recursive: true });
                    this.temporary = temporaryPathFor(sink.target);
                    process.on("exit", this.onExit);
                    this.fd = openSync(this.temporary, "w");
                    if (sink.mode != null)
                        fchmodSync(this.fd, sink.mode);
                } else {
                    this.fd = openSync(sink.target, "w");
                }
            }
            const data = Buffer.from(this.pending.join(""), "utf8");
            this.pending = [];
            this.pendingBytes = 0;
            writeAllSync(this.fd, data);
        });
    }

    /** Runs a file operation; on failure removes the temporary and reports what became of the output. */
    private guard(operation: () => unknown): void {
        try {
            operation();
        } catch (error) {
            const sink = this.sink as Exclude<Sink, { kind: "stdout" }>;
            this.discardNow();
            throw new OutputWriteError(sink.label, error,
                sink.kind === "file" ? leftUnchanged(sink.target, sink.label, sink.existed) : `${sink.label} is incomplete`);
        }
    }
}
