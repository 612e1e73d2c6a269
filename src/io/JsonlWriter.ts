import { once } from "node:events";
import { rmSync, statSync } from "node:fs";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { OutputWriteError } from "../errors/outputErrors.js";
import { writeAll } from "./writeAll.js";
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
 */
export class JsonlWriter {
    private handle: FileHandle | undefined;
    private temporary: string | undefined;
    private pending: string[] = [];
    private pendingBytes = 0;
    private state: "open" | "finished" | "committed" | "discarded" = "open";
    /** Removes the temporary file if the process exits before commit or discard (Ctrl-C). */
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

    public async write(value: unknown): Promise<void> {
        const line = JSON.stringify(value) + "\n";
        if (this.sink.kind === "stdout") {
            if (!process.stdout.write(line))
                await once(process.stdout, "drain");
            return;
        }
        if (this.state !== "open")
            throw new Error(`JsonlWriter for ${this.sink.label} is ${this.state}`);
        this.pending.push(line);
        this.pendingBytes += line.length;
        if (this.pendingBytes >= FLUSH_BYTES)
            await this.flush();
    }

    /** Writes everything out and closes the file, without replacing the output yet. */
    public async finish(): Promise<void> {
        if (this.sink.kind === "stdout" || this.state !== "open")
            return;
        await this.flush();
        const sink = this.sink;
        await this.guard(async () => {
            if (sink.kind === "file")
                await this.handle!.sync();
            await this.handle!.close();
            this.handle = undefined;
        });
        this.state = "finished";
    }

    /** Finishes, then puts the new content in place of the output. */
    public async commit(): Promise<void> {
        if (this.sink.kind === "stdout" || this.state === "committed")
            return;
        if (this.state === "discarded")
            throw new Error(`JsonlWriter for ${this.sink.label} was discarded`);
        await this.finish();
        const sink = this.sink;
        if (sink.kind === "file")
            await this.guard(() => rename(this.temporary!, sink.target));
        process.off("exit", this.onExit);
        this.state = "committed";
    }

    /** Drops what was written; an existing output stays as it was. Safe to call more than once. */
    public async discard(): Promise<void> {
        if (this.sink.kind === "stdout" || this.state === "committed" || this.state === "discarded")
            return;
        this.state = "discarded";
        this.pending = [];
        await this.handle?.close().catch(() => {});
        this.handle = undefined;
        if (this.temporary != null)
            await rm(this.temporary, { force: true });
        process.off("exit", this.onExit);
    }

    private async flush(): Promise<void> {
        const sink = this.sink;
        if (sink.kind === "stdout")
            return;
        await this.guard(async () => {
            if (this.handle == null) {
                if (sink.kind === "file") {
                    await mkdir(path.dirname(sink.target), { recursive: true });
                    this.temporary = temporaryPathFor(sink.target);
                    process.on("exit", this.onExit);
                    this.handle = await open(this.temporary, "w");
                    if (sink.mode != null)
                        await this.handle.chmod(sink.mode);
                } else {
                    this.handle = await open(sink.target, "w");
                }
            }
            const data = Buffer.from(this.pending.join(""), "utf8");
            this.pending = [];
            this.pendingBytes = 0;
            await writeAll(this.handle, data);
        });
    }

    /** Runs a file operation; on failure removes the temporary and reports what became of the output. */
    private async guard(operation: () => Promise<unknown>): Promise<void> {
        try {
            await operation();
        } catch (error) {
            const sink = this.sink as Exclude<Sink, { kind: "stdout" }>;
            await this.discard();
            throw new OutputWriteError(sink.label, error,
                sink.kind === "file" ? leftUnchanged(sink.target, sink.label, sink.existed) : `${sink.label} is incomplete`);
        }
    }
}
