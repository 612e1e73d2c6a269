import { readFileSync, statSync, writeFileSync, type BigIntStats } from "node:fs";
import { z } from "zod";
import { sha256OfFile } from "../sha256OfFile.js";

/** What a model file in the models folder is, against the sha256 it should have. */
export type FileCheck =
    | { state: "missing" }
    | { state: "verified"; bytes: number; fromCache: boolean }
    | { state: "mismatch"; bytes: number; actualSha256: string };

/**
 * `<file>.sha256` remembers the hash of a file together with the stat fields that change
 * whenever its bytes do (size, mtime and ctime in nanoseconds, inode): hashing 100 MB
 * takes about half a second, and a run that names a catalogue model should not pay that
 * every time. ctime is set by the kernel on every write and cannot be set back by tools
 * that restore mtime, so an edited file never matches a stale record.
 */
const sidecarSchema = z.object({
    sha256: z.string(),
    bytes: z.number(),
    mtimeNs: z.string(),
    ctimeNs: z.string(),
    ino: z.string()
});

type Sidecar = z.infer<typeof sidecarSchema>;

export const sidecarPath = (file: string): string => `${file}.sha256`;

function stamp(stats: BigIntStats): Omit<Sidecar, "sha256"> {
    return { bytes: Number(stats.size), mtimeNs: String(stats.mtimeNs), ctimeNs: String(stats.ctimeNs), ino: String(stats.ino) };
}

function readSidecar(file: string): Sidecar | undefined {
    try {
        const parsed = sidecarSchema.safeParse(JSON.parse(readFileSync(sidecarPath(file), "utf8")));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

/** The sha256 of `file`, from its sidecar when `useCache` and the file is unchanged since, else hashed (and the sidecar refreshed). */
export async function fileSha256(file: string, stats: BigIntStats, useCache: boolean): Promise<{ sha256: string; fromCache: boolean }> {
    const current = stamp(stats);
    if (useCache) {
        const cached = readSidecar(file);
        if (cached != null && cached.bytes === current.bytes && cached.mtimeNs === current.mtimeNs &&
            cached.ctimeNs === current.ctimeNs && cached.ino === current.ino)
            return { sha256: cached.sha256, fromCache: true };
    }
    const sha256 = await sha256OfFile(file);
    // Re-read the stat: a file written to while it was hashed must not be recorded as this hash.
    const after = stamp(statSync(file, { bigint: true }));
    if (JSON.stringify(after) === JSON.stringify(current))
        rememberSha256(file, sha256);
    return { sha256, fromCache: false };
}

/** Records `sha256` for `file` as it is now. Best effort: a read-only models folder only costs a re-hash next time. */
export function rememberSha256(file: string, sha256: string): void {
    try {
        const record: Sidecar = { sha256, ...stamp(statSync(file, { bigint: true })) };
        writeFileSync(sidecarPath(file), JSON.stringify(record) + "\n");
    } catch {
        // Not worth failing a run over.
    }
}

/** Checks `file` against `expectedSha256`; `useCache: false` always hashes the whole file. */
export async function checkModelFile(file: string, expectedSha256: string, options: { useCache: boolean }): Promise<FileCheck> {
    let stats: BigIntStats;
    try {
        stats = statSync(file, { bigint: true });
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT")
            return { state: "missing" };
        throw error;
    }
    if (!stats.isFile())
        return { state: "mismatch", bytes: 0, actualSha256: "(not a file)" };
    const { sha256, fromCache } = await fileSha256(file, stats, options.useCache);
    return sha256 === expectedSha256.toLowerCase()
        ? { state: "verified", bytes: Number(stats.size), fromCache }
        : { state: "mismatch", bytes: Number(stats.size), actualSha256: sha256 };
}
