// Drives Debian's chromium through its command line (no playwright here): one run dumps
// the DOM after the page's scripts have run, another takes a screenshot.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const chromiumPath = process.env.REER_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
    return existsSync(chromiumPath);
}

export type ChromiumRun = { stdout: string; stderr: string; ms: number };

/** Flags that keep a headless run offline, quiet and independent of any profile. */
function baseFlags(profile: string): string[] {
    return [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
        `--user-data-dir=${profile}`
    ];
}

function run(args: string[], timeoutMs: number): Promise<ChromiumRun> {
    const profile = mkdtempSync(path.join(tmpdir(), "reer-chromium-"));
    const started = Date.now();
    return new Promise<ChromiumRun>((resolve, reject) => {
        execFile(chromiumPath, [...baseFlags(profile), ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            rmSync(profile, { recursive: true, force: true });
            if (error)
                reject(new Error(`chromium failed: ${error.message}\n${stderr.slice(-2000)}`));
            else
                resolve({ stdout, stderr, ms: Date.now() - started });
        });
    });
}

/**
 * The serialised DOM once the page has loaded. The virtual time budget lets timers and
 * animation frames the page queued at load run before the dump.
 */
export function dumpDom(file: string, timeoutMs = 60_000): Promise<ChromiumRun> {
    return run(["--virtual-time-budget=5000", "--window-size=1280,2400", "--dump-dom", pathToFileURL(file).href], timeoutMs);
}

export function screenshot(file: string, png: string, size: { width: number; height: number }, timeoutMs = 60_000): Promise<ChromiumRun> {
    return run(["--virtual-time-budget=5000", `--window-size=${size.width},${size.height}`, `--screenshot=${png}`, pathToFileURL(file).href], timeoutMs);
}
