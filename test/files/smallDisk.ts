// A tiny tmpfs for full-disk tests. Mounting needs root; elsewhere `mountSmallDisk` says
// why it could not, and the tests that need it are skipped with that reason in their name.
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export type SmallDisk = {
    dir: string;
    /** Fills the disk with a filler file, then frees `leaveBytes` (whole 4 KiB pages) of it. */
    fill: (leaveBytes?: number) => void;
    /** Removes the filler. */
    free: () => void;
    /** Empties the disk. */
    clear: () => void;
    unmount: () => void;
};

export type MountResult = { disk: SmallDisk; skipReason?: undefined } | { disk?: undefined; skipReason: string };

export function mountSmallDisk(sizeKiB = 64): MountResult {
    if (process.getuid?.() !== 0)
        return { skipReason: "skipped: not root, so no tmpfs can be mounted" };
    const dir = mkdtempSync(path.join(tmpdir(), "reer-small-disk-"));
    try {
        execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKiB}k`, "tmpfs", dir], { stdio: "pipe" });
    } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        return { skipReason: `skipped: mounting a tmpfs failed (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})` };
    }
    const filler = path.join(dir, "filler");
    const disk: SmallDisk = {
        dir,
        fill: (leaveBytes = 0) => {
            const fd = openSync(filler, "w");
            const chunk = Buffer.alloc(4096, 0x61);
            let size = 0;
            try {
                for (;;) {
                    const written = writeSync(fd, chunk);
                    size += written;
                    if (written < chunk.length)
                        break;
                }
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code !== "ENOSPC")
                    throw error;
            }
            ftruncateSync(fd, Math.max(0, size - leaveBytes));
            closeSync(fd);
        },
        free: () => rmSync(filler, { force: true }),
        clear: () => {
            for (const name of readdirSync(dir))
                rmSync(path.join(dir, name), { recursive: true, force: true });
        },
        unmount: () => {
            execFileSync("umount", [dir], { stdio: "pipe" });
            rmSync(dir, { recursive: true, force: true });
        }
    };
    return { disk };
}
