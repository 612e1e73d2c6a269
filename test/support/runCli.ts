import { spawn } from "node:child_process";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { endOf } from "./boundedChild.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
// By absolute URL, so the CLI runs from any working folder (`--import tsx` resolves from the cwd).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export type RunCliOptions = {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /**
     * Sends `signal` to the process the first time `when` holds for the stderr written so
     * far (checked as each chunk arrives, so the signal lands right after that output).
     */
    interrupt?: { when: (stderr: string) => boolean; signal: NodeJS.Signals };
    /** Kills the process and fails with what it printed if it has not ended by then (default CHILD_TIMEOUT_MS). */
    timeoutMs?: number;
};

/**
 * What the CLI did, and whether the interrupt was sent (false when the run ended before
 * `when` held); `exitMs`: milliseconds from sending it to the process's end.
 */
export type InterruptedCliResult = CliResult & { interrupted: boolean; exitMs?: number };

/** Runs the CLI from source (no stale build) in a child process, as a user would. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<InterruptedCliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", tsxLoader, path.join(repoRoot, "src", "cli", "cli.ts"), ...args], {
            cwd: options.cwd ?? repoRoot,
            env: { ...process.env, ...options.env },
            stdio: ["ignore", "pipe", "pipe"]
        });
        let stdout = "";
        let stderr = "";
        let interrupted = false;
        let sentAt: number | undefined;
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString("utf8"); });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            if (options.interrupt != null && !interrupted && options.interrupt.when(stderr)) {
                interrupted = true;
                sentAt = performance.now();
                child.kill(options.interrupt.signal);
            }
        });
        // "exit", not "close": the time the process ended, not when its pipes were drained.
        let exitedAt: number | undefined;
        child.on("exit", () => { exitedAt = performance.now(); });
        endOf(child, `reer ${args.join(" ")}`, options.timeoutMs).then(({ code, signal }) => resolve({
            code, signal, stdout, stderr, interrupted,
            ...(sentAt == null ? {} : { exitMs: (exitedAt ?? performance.now()) - sentAt })
        }), reject);
    });
}

/** The complete JSON lines of `--progress json` output (stderr), skipping other lines and a line still being written. */
export function progressEvents(stderr: string): Record<string, unknown>[] {
    return stderr.split("\n").slice(0, -1).filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}
