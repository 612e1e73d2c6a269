import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

export type RunCliOptions = {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    /**
     * Sends `signal` to the process the first time `when` holds for the stderr written so
     * far (checked as each chunk arrives, so the signal lands right after that output).
     */
    interrupt?: { when: (stderr: string) => boolean; signal: NodeJS.Signals };
};

/** What the CLI did, and whether the interrupt was sent (false when the run ended before `when` held). */
export type InterruptedCliResult = CliResult & { interrupted: boolean };

/** Runs the CLI from source (no stale build) in a child process, as a user would. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<InterruptedCliResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"), ...args], {
            cwd: options.cwd ?? repoRoot,
            env: { ...process.env, ...options.env },
            stdio: ["ignore", "pipe", "pipe"]
        });
        let stdout = "";
        let stderr = "";
        let interrupted = false;
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString("utf8"); });
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            if (options.interrupt != null && !interrupted && options.interrupt.when(stderr)) {
                interrupted = true;
                child.kill(options.interrupt.signal);
            }
        });
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, interrupted }));
    });
}

/** The complete JSON lines of `--progress json` output (stderr), skipping other lines and a line still being written. */
export function progressEvents(stderr: string): Record<string, unknown>[] {
    return stderr.split("\n").slice(0, -1).filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}
