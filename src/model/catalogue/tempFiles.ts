import { readdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Temporary download files this process has open. Ctrl-C ends the CLI with process.exit,
 * which runs no async cleanup but does run "exit" listeners: the files are removed there,
 * synchronously, so an interrupted download leaves nothing behind.
 */
const live = new Set<string>();
let hooked = false;

function removeAll(): void {
    for (const file of live)
        rmSync(file, { force: true });
    live.clear();
}

/** Tracks `files` until released; each is removed if the process exits first. */
export function trackTempFiles(...files: string[]): void {
    if (!hooked) {
        process.once("exit", removeAll);
        hooked = true;
    }
    for (const file of files)
        live.add(file);
}

/** Removes `files` now (if present) and stops tracking them. */
export function removeTempFiles(...files: string[]): void {
    for (const file of files) {
        rmSync(file, { force: true });
        live.delete(file);
    }
}

/** Stops tracking `files` without removing them (they were renamed into place). */
export function releaseTempFiles(...files: string[]): void {
    for (const file of files)
        live.delete(file);
}

/** `<target>.part-<pid>`: the download's own name, so two processes never write one file. */
export function tempPathFor(target: string): string {
    return `${target}.part-${process.pid}`;
}

/**
 * Removes the temporary files a killed process (SIGKILL, power loss) left next to
 * `target`: `<target>.part-<pid>...` whose pid no longer runs.
 */
export function removeStaleTempFiles(target: string): void {
    const dir = path.dirname(target);
    const prefix = `${path.basename(target)}.part-`;
    let names: string[];
    try {
        names = readdirSync(dir);
    } catch {
        return;
    }
    for (const name of names) {
        if (!name.startsWith(prefix))
            continue;
        const pid = Number(/^\d+/u.exec(name.slice(prefix.length))?.[0]);
        if (Number.isInteger(pid) && pid !== process.pid && !processRuns(pid))
            rmSync(path.join(dir, name), { force: true });
    }
}

function processRuns(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it runs, under another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}
