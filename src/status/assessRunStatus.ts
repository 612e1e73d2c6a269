import { isProcessAlive } from "../util/processAlive.js";
import type { RunStatus } from "../trace/runStatusSchema.js";

/**
 * How a status file's run stands, as far as a reader can tell: "working" while its writer
 * keeps it current; "gone" when the writer's process no longer exists but the file says it
 * was working (killed: SIGKILL, out of memory, a node lost); "stale" when the writer may
 * exist but has not rewritten the file for several intervals (hung, or on another host
 * that went away); else the state the run ended in.
 */
export type Liveness = "working" | "gone" | "stale" | "finished" | "stopped" | "failed";

export type StatusAssessment = { liveness: Liveness; ageSeconds: number };

/** A file not rewritten for this many intervals (and at least a minute) is stale. */
const STALE_INTERVALS = 3;
const STALE_FLOOR_MS = 60_000;

export function assessRunStatus(status: RunStatus, now: Date = new Date(), alive: (pid: number, host: string) => boolean = isProcessAlive): StatusAssessment {
    const ageMs = Math.max(0, now.getTime() - Date.parse(status.updatedAt));
    const ageSeconds = Math.round(ageMs / 1000);
    if (status.state !== "starting" && status.state !== "running")
        return { liveness: status.state, ageSeconds };
    if (!alive(status.pid, status.host))
        return { liveness: "gone", ageSeconds };
    return { liveness: ageMs > Math.max(STALE_INTERVALS * status.intervalMs, STALE_FLOOR_MS) ? "stale" : "working", ageSeconds };
}

/** Whether a run in this state needs an operator: it failed, or its writer is gone or silent. */
export const needsAttention = (liveness: Liveness): boolean => liveness === "failed" || liveness === "gone" || liveness === "stale";
