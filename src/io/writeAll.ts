import { writeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";

/** A write that made no progress: treated as the device failing rather than looping forever. */
function noProgress(): NodeJS.ErrnoException {
    return Object.assign(new Error("write made no progress"), { code: "EIO" });
}

/**
 * Writes all of `data` at the descriptor's position. A single write(2) may write only
 * part of a buffer (a disk that fills up mid-way does that before failing with ENOSPC),
 * so this keeps writing until every byte is out or a write throws.
 */
export function writeAllSync(fd: number, data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
        const written = writeSync(fd, data, offset, data.length - offset);
        if (written <= 0)
            throw noProgress();
        offset += written;
    }
}

/** writeAllSync for a promise-based file handle. */
export async function writeAll(handle: FileHandle, data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        if (bytesWritten <= 0)
            throw noProgress();
        offset += bytesWritten;
    }
}
