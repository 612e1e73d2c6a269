import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { OutputWriteError } from "../errors/outputErrors.js";
import { writeAllSync } from "./writeAll.js";

let temporaryCount = 0;

/**
 * A temporary name next to `file`, unique within this process: on the same file system,
 * so the final rename is atomic.
 */
export function temporaryPathFor(file: string): string {
    return `${file}.tmp-${process.pid}-${++temporaryCount}`;
}

/** What became of the file when writing it failed, for the error message. */
export function leftUnchanged(file: string, label: string, existed: boolean): string {
    return existed ? `${label} was left as it was` : `nothing was written to ${label}`;
}

/**
 * Writes a whole file under a temporary name next to it, flushes it to disk and renames
 * it over `file`: readers see the old content or the new one, never a half-written file,
 * and a failed write (a full disk, say) leaves the old file as it was and no temporary
 * behind. An existing file keeps its permission bits. The folder must exist.
 * Failures are OutputWriteErrors naming `label` (default: `file`).
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, options: { label?: string } = {}): void {
    const label = options.label ?? file;
    const previous = statSync(file, { throwIfNoEntry: false });
    const temporary = temporaryPathFor(file);
    try {
        const fd = openSync(temporary, "w");
        try {
            if (previous != null)
                fchmodSync(fd, previous.mode & 0o7777);
            writeAllSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        renameSync(temporary, file);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw new OutputWriteError(label, error, leftUnchanged(file, label, previous != null));
    }
}
