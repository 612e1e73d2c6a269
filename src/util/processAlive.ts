import { hostname } from "node:os";

/**
 * Whether process `pid` on `host` still runs. A process on another host cannot be
 * checked from here, so it counts as running; on this host, a pid that exists but belongs
 * to another user (EPERM) runs too.
 */
export function isProcessAlive(pid: number, host: string): boolean {
    if (host !== hostname())
        return true;
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
