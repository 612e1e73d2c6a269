import { spawnSync } from "node:child_process";

/** The pid of a process that has exited (for locks whose holder is gone). */
export function deadPid(): number {
    const result = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8", timeout: 30_000, killSignal: "SIGKILL" });
    const pid = Number(result.stdout);
    if (!Number.isInteger(pid) || pid <= 0)
        throw new Error(`could not get the pid of an exited process: ${result.error?.message ?? result.stderr}`);
    return pid;
}
