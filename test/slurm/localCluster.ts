// A one-node SLURM cluster for the slurm test tier, started by scripts/slurm-local/start.sh.
// Without the SLURM and munge binaries (or without root, which slurmd needs to start jobs)
// the tier skips with one line outside CI and fails under CI=true, so CI can never pass
// without having run it.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const scripts = path.join(repoRoot, "scripts", "slurm-local");

const onPath = (bin: string) => (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && existsSync(path.join(dir, bin)));
const missing = ["sbatch", "squeue", "scancel", "scontrol", "slurmctld", "slurmd", "munged"].filter((bin) => !onPath(bin));
const reason = missing.length > 0
    ? `${missing.join(", ")} not found; install with \`apt-get install -y slurmctld slurmd slurm-client munge\``
    : process.getuid?.() !== 0 ? "slurmd must run as root" : undefined;

if (reason != null) {
    const line = `slurm tier: ${reason}`;
    if (process.env.CI === "true")
        throw new Error(`${line}. Under CI the tier must run.`);
    process.stderr.write(`skipped ${line}\n`);
}

/** True when the tier cannot run here (outside CI only: under CI it throws above). */
export const slurmMissing = reason != null;

export type Ran = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Runs a command to its end, or kills it and fails after `timeoutMs`. */
export function run(command: string, args: string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<Ran> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`${command} ${args.join(" ")} did not finish within ${options.timeoutMs / 1000} s\n${stdout}${stderr}`));
        }, options.timeoutMs);
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString("utf8"); });
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });
        child.on("error", (error) => { clearTimeout(timer); reject(error); });
        child.on("close", (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    });
}

/** Polls `check` until it returns a value, failing with `describe()` after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined)
            return value;
        if (Date.now() > deadline)
            throw new Error(`gave up after ${timeoutMs / 1000} s: ${describe()}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
    }
}

/** The environment for SLURM clients of the cluster in `dir`. */
export const clusterEnv = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, SLURM_CONF: path.join(dir, "slurm.conf") });

export async function startCluster(dir: string): Promise<void> {
    const result = await run("bash", [path.join(scripts, "start.sh"), dir], { timeoutMs: 90_000, env: { ...process.env, SLURM_LOCAL_TIMEOUT: "60" } });
    if (result.code !== 0)
        throw new Error(`scripts/slurm-local/start.sh failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
}

export async function stopCluster(dir: string): Promise<void> {
    await run("bash", [path.join(scripts, "stop.sh"), dir], { timeoutMs: 30_000 });
}

/** An array task's end: its state (COMPLETED, CANCELLED, FAILED, ...) and its script's exit code. */
export type ArrayTask = { task: number; state: string; exitCode: number };

/** The array's tasks as the controller reports them (it keeps ended jobs for MinJobAge, 300 s). */
export async function arrayTasks(jobId: string, env: NodeJS.ProcessEnv): Promise<ArrayTask[]> {
    const result = await run("scontrol", ["-o", "show", "job", jobId], { timeoutMs: 15_000, env });
    if (result.code !== 0)
        throw new Error(`scontrol show job ${jobId} failed: ${result.stderr}`);
    return result.stdout.split("\n").filter(Boolean).map((line) => {
        const field = (name: string) => new RegExp(`\\b${name}=(\\S+)`, "u").exec(line)?.[1] ?? "";
        // ExitCode=<exit code>:<signal>
        return { task: Number(field("ArrayTaskId")), state: field("JobState"), exitCode: Number(field("ExitCode").split(":")[0]) };
    }).sort((a, b) => a.task - b.task);
}

/** Waits until no task of the job is pending or running (squeue lists none). */
export async function waitForJobEnd(jobId: string, env: NodeJS.ProcessEnv, timeoutMs: number, logs: () => string): Promise<ArrayTask[]> {
    let queue = "";
    await waitFor(async () => {
        const result = await run("squeue", ["-h", "-j", jobId, "-o", "%i %T %R"], { timeoutMs: 15_000, env });
        if (result.code !== 0)
            throw new Error(`squeue -j ${jobId} failed: ${result.stderr}`);
        queue = result.stdout.trim();
        return queue === "" ? true : undefined;
    }, timeoutMs, () => `job ${jobId} still queued or running:\n${queue}\n${logs()}`);
    return arrayTasks(jobId, env);
}

/**
 * The first source file newer than its compiled output, if any: the job script runs the
 * built CLI (dist/), which `npm ci` builds and `npm run build` refreshes.
 */
export function staleBuild(dir = path.join(repoRoot, "src")): string | undefined {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            const stale = staleBuild(file);
            if (stale != null)
                return stale;
        } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
            const built = path.join(repoRoot, "dist", path.relative(path.join(repoRoot, "src"), file)).replace(/\.ts$/u, ".js");
            if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs)
                return path.relative(repoRoot, file);
        }
    }
    return undefined;
}
