import { formatTable } from "../stats/textTable.js";
import { formatDuration } from "../util/formatDuration.js";
import type { RunStatus } from "../trace/runStatusSchema.js";
import type { StatusAssessment } from "./assessRunStatus.js";
import type { StatusFile } from "./readRunStatus.js";

export type AssessedStatus = StatusFile & StatusAssessment;

function stateText({ status, liveness, ageSeconds }: AssessedStatus): string {
    switch (liveness) {
        case "working":
            return status.state;
        case "gone":
            return `GONE: pid ${status.pid} no longer runs (last update ${formatDuration(ageSeconds)} ago)`;
        case "stale":
            return `STALE: not updated for ${formatDuration(ageSeconds)}`;
        case "failed":
            return `FAILED: ${status.error ?? "no error recorded"}`;
        default:
            return liveness;
    }
}

const shardName = (status: RunStatus): string => (status.shard == null ? "-" : `${status.shard.index}/${status.shard.count}`);

function finished(status: RunStatus): number {
    const { items } = status;
    return items.alreadyDone + items.done + items.skipped + items.failed;
}

/**
 * One row per status file (a shard of a job array), the items in flight under it, and for
 * several files a total: an operator's view of a run with no terminal attached.
 */
export function formatRunStatuses(statuses: readonly AssessedStatus[]): string {
    const rows = statuses.map((entry) => {
        const { status } = entry;
        const { items } = status;
        return [
            shardName(status),
            `${finished(status)}/${items.total}`,
            String(items.done), String(items.skipped), String(items.failed), String(items.inFlight),
            status.tokensPerSecond.toFixed(1),
            entry.liveness === "working" && status.etaSeconds != null ? formatDuration(status.etaSeconds) : "-",
            `${formatDuration(entry.ageSeconds)} ago`,
            `${status.pid}@${status.host}`,
            stateText(entry)
        ];
    });
    const parts = [formatTable(["shard", "finished", "done", "skipped", "failed", "in flight", "tok/s", "ETA", "updated", "writer", "state"], rows,
        ["left", "right", "right", "right", "right", "right", "right", "right", "right", "left", "left"])];
    for (const { status } of statuses) {
        for (const item of status.inFlight) {
            const what = item.phase === "step" ? `step ${item.step}/${item.steps}` : item.phase;
            // How long the phase had run when the file was written: an age an operator reads at a glance.
            const seconds = Math.max(0, (Date.parse(status.updatedAt) - Date.parse(item.since)) / 1000);
            parts.push(`  ${shardName(status) === "-" ? "" : `shard ${shardName(status)}: `}${item.id}: ${what} for ${formatDuration(seconds)}, ${item.tokens} token(s)\n`);
        }
    }
    if (statuses.length > 1) {
        const sum = (pick: (status: RunStatus) => number) => statuses.reduce((total, entry) => total + pick(entry.status), 0);
        const working = statuses.filter((entry) => entry.liveness === "working");
        const eta = Math.max(0, ...working.map((entry) => entry.status.etaSeconds ?? 0));
        parts.push(`all ${statuses.length} shards: ${sum(finished)}/${sum((status) => status.items.total)} items finished ` +
            `(${sum((status) => status.items.done)} done, ${sum((status) => status.items.skipped)} skipped, ${sum((status) => status.items.failed)} failed), ` +
            `${sum((status) => status.items.inFlight)} in flight, ${sum((status) => status.tokensPerSecond).toFixed(1)} tokens/s` +
            (working.length > 0 ? `, ETA ${formatDuration(eta)} (the slowest shard)` : "") + "\n");
    }
    return parts.join("");
}
