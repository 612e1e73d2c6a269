import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";

/**
 * Writes a whole file under a temporary name next to it, flushes it to disk and renames
 * it over `file`: readers see the old content or the new one, never a half-written file,
 * and a failed write (a full disk, say) leaves the old file as it was.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
    const temporary = `${file}.tmp-${process.pid}`;
    try {
        const fd = openSync(temporary, "w");
        try {
            writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        renameSync(temporary, file);
    } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
    }
}
