import { realpathSync, statSync, type BigIntStats } from "node:fs";
import path from "node:path";

/**
 * The absolute form of `file` with symbolic links resolved as far as the path exists, so
 * two spellings of one place compare equal even before the file is created.
 */
export function canonicalPath(file: string): string {
    let existing = path.resolve(file);
    const rest: string[] = [];
    for (;;) {
        try {
            return path.join(realpathSync(existing), ...rest);
        } catch {
            const parent = path.dirname(existing);
            if (parent === existing)
                return path.resolve(file);
            rest.unshift(path.basename(existing));
            existing = parent;
        }
    }
}

/**
 * Whether two paths name one file: the same device and inode when both exist (which sees
 * through symbolic links, hard links and other spellings), the same canonical path when
 * neither does. An existing file and a missing one are never the same.
 */
export function sameFile(a: string, b: string): boolean {
    const first = statIfExists(a);
    const second = statIfExists(b);
    if (first != null && second != null)
        return first.dev === second.dev && first.ino === second.ino;
    if (first != null || second != null)
        return false;
    return canonicalPath(a) === canonicalPath(b);
}

/** The file's stats (following links), or undefined when there is no such file, also when a part of the path is a file. */
export function statIfExists(file: string): BigIntStats | undefined {
    try {
        return statSync(file, { bigint: true, throwIfNoEntry: false });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOTDIR")
            return undefined;
        throw error;
    }
}
