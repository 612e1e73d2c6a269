import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { ReerError } from "../errors/ReerError.js";
import { OutputWriteError } from "../errors/outputErrors.js";
import { isProcessAlive } from "../util/processAlive.js";
import { runStatusSchema, statusFileOf, type RunStatus } from "./runStatusSchema.js";

/** Tries before giving up when other runs keep replacing or breaking the lock. */
const MAX_ATTEMPTS = 200;
const RETRY_PAUSE_MS = 5;

/** What a lock file holds: who appends to the trace, since when. */
export type LockHolder = { pid: number; host: string; startedAt: string };

export class TraceLockedError extends ReerError {
    public readonly holder: LockHolder | undefined;

    public constructor(trace: string, lockFile: string, holder: LockHolder | undefined) {
        const who = holder == null
            ? `by ${lockFile}, which does not say by whom`
            : `by pid ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`} (a reer synthesize started ${holder.startedAt})`;
        super("TRACE_LOCKED", `${trace} is locked ${who}; two runs appending to one trace would write items twice.`,
            `Wait for that run to finish, or run several processes with --shard i/N. If no run is writing ${trace}, delete ${lockFile}.`);
        this.holder = holder;
    }
}

/**
 * An exclusive lock on a trace while a run appends to it: the file `<trace>.lock`, created
 * whole or not at all (written under a temporary name, then hard-linked into place, which
 * fails when the lock exists) and holding the pid, host and start time. A second writer is
 * refused with the holder's pid; a lock whose process is gone (killed, machine rebooted)
 * is taken over with a note. The lock is released by `release`, and on process exit
 * (Ctrl-C twice, process.exit) by an exit handler.
 *
 * Taking over is atomic too: a stale lock is removed only by the holder of a second,
 * short-lived lock (`<trace>.lock.takeover`), after reading it again under that guard. So
 * when several runs find the same stale lock at once, one removes it and exactly one
 * links its own in its place; the others then find a live lock and are refused.
 */
export class TraceLock {
    private readonly onExit = (): void => this.release();
    private released = false;

    private constructor(public readonly file: string, private readonly content: string) {
        process.on("exit", this.onExit);
    }

    public static lockFileOf(trace: string): string {
        return `${trace}.lock`;
    }

    /**
     * Takes the lock on `trace` or throws TraceLockedError; a missing folder is created.
     * `onNote` hears about a stale lock taken over.
     */
    public static acquire(trace: string, options: { onNote?: (note: string) => void } = {}): TraceLock {
        const lockFile = TraceLock.lockFileOf(trace);
        const notWritten = `the run did not start, ${trace} was left as it was`;
        const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
        const content = JSON.stringify(holder) + "\n";
        const temporary = `${lockFile}.${process.pid}.tmp`;
        try {
            mkdirSync(path.dirname(path.resolve(lockFile)), { recursive: true });
            writeWhole(temporary, content);
        } catch (error) {
            rmSync(temporary, { force: true });
            throw new OutputWriteError(lockFile, error, notWritten);
        }
        try {
            for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                if (linkExclusive(temporary, lockFile, notWritten))
                    return new TraceLock(lockFile, content);
                const text = readLockText(lockFile);
                if (text == null)
                    continue;
                const current = parseHolder(text);
                const gone = current == null ? undefined : goneReason(trace, current);
                if (current == null || gone == null)
                    throw new TraceLockedError(trace, lockFile, current);
                if (removeStaleLock(lockFile, text, temporary, notWritten))
                    (options.onNote ?? ((note) => process.stderr.write(note)))(
                        `note: took over the lock of ${trace} from pid ${current.pid} (started ${current.startedAt}), ${gone}\n`);
                else
                    pause(RETRY_PAUSE_MS);
            }
            throw new TraceLockedError(trace, lockFile, parseHolder(readLockText(lockFile) ?? ""));
        } finally {
            rmSync(temporary, { force: true });
        }
    }

    /** Removes the lock file if it is still this lock's. Safe to call more than once. */
    public release(): void {
        if (this.released)
            return;
        this.released = true;
        process.off("exit", this.onExit);
        try {
            if (readFileSync(this.file, "utf8") === this.content)
                unlinkSync(this.file);
        } catch {
            // Already gone, or unreadable: nothing of ours to remove.
        }
    }
}

/** Tries to link the lock into place: false when a lock exists already. */
function linkExclusive(temporary: string, lockFile: string, notWritten: string): boolean {
    try {
        linkSync(temporary, lockFile);
        return true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST")
            return false;
        throw new OutputWriteError(lockFile, error, notWritten);
    }
}

/**
 * Removes the stale lock whose text is `staleText`, under the takeover guard; false when
 * another run holds the guard (it is removing the same lock). A guard left by a process
 * that died while holding it (a window of microseconds) is removed as a stale lock is.
 */
function removeStaleLock(lockFile: string, staleText: string, temporary: string, notWritten: string): boolean {
    const guard = `${lockFile}.takeover`;
    if (!linkExclusive(temporary, guard, notWritten)) {
        const guardText = readLockText(guard);
        const guardHolder = guardText == null ? undefined : parseHolder(guardText);
        if (guardHolder != null && !isAlive(guardHolder) && readLockText(guard) === guardText)
            rmSync(guard, { force: true });
        return false;
    }
    try {
        // Under the guard nobody else removes the lock, and nobody links a new one while it exists.
        if (readLockText(lockFile) !== staleText)
            return false;
        rmSync(lockFile, { force: true });
        return true;
    } finally {
        rmSync(guard, { force: true });
    }
}

/** Blocks this thread for `ms` (acquisition is synchronous; waits are a few milliseconds). */
function pause(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function writeWhole(file: string, content: string): void {
    const fd = openSync(file, "w");
    try {
        writeSync(fd, content);
    } finally {
        closeSync(fd);
    }
}

/** The lock file's text; undefined when it disappeared meanwhile (an unreadable one reads as ""). */
function readLockText(lockFile: string): string | undefined {
    try {
        return readFileSync(lockFile, "utf8");
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "ENOENT" ? undefined : "";
    }
}

/** The holder a lock file names; undefined when it is not a lock this program wrote. */
function parseHolder(text: string): LockHolder | undefined {
    try {
        const value = JSON.parse(text) as Partial<LockHolder>;
        if (typeof value.pid === "number" && Number.isInteger(value.pid) && value.pid > 0 && typeof value.host === "string" && typeof value.startedAt === "string")
            return { pid: value.pid, host: value.host, startedAt: value.startedAt };
    } catch {
        // Not JSON.
    }
    return undefined;
}

/** A holder on another host cannot be checked, so it counts as alive. */
function isAlive(holder: LockHolder): boolean {
    return isProcessAlive(holder.pid, holder.host);
}

/**
 * A run silent this long on another host is gone: a live run rewrites its status file
 * every few seconds, so ten minutes without a rewrite (allowing for clocks that differ
 * between nodes) means a node lost or a job killed without warning.
 */
const SILENT_HOLDER_MS = 10 * 60_000;

/**
 * Why the lock's holder is taken to be gone, or undefined when it may still run. On this
 * host its pid is checked. On another (a job array resubmitted to another node, a
 * restarted pod) the pid cannot be, so the run's status file decides: the same pid and host,
 * not rewritten for ten minutes (and three of its intervals).
 */
function goneReason(trace: string, holder: LockHolder): string | undefined {
    if (holder.host === hostname())
        return isAlive(holder) ? undefined : "which is no longer running";
    let status: RunStatus;
    try {
        const parsed = runStatusSchema.safeParse(JSON.parse(readFileSync(statusFileOf(trace), "utf8")));
        if (!parsed.success)
            return undefined;
        status = parsed.data;
    } catch {
        return undefined;
    }
    const silentMs = Date.now() - Date.parse(status.updatedAt);
    if (status.pid !== holder.pid || status.host !== holder.host || !(silentMs > Math.max(SILENT_HOLDER_MS, 3 * status.intervalMs)))
        return undefined;
    return `on ${holder.host}, whose status file has not been updated for ${Math.round(silentMs / 60_000)} min`;
}
