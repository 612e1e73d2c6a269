import { Command } from "commander";
import { ReerError } from "../../errors/ReerError.js";
import { assessRunStatus, needsAttention } from "../../status/assessRunStatus.js";
import { formatRunStatuses } from "../../status/formatRunStatus.js";
import { findStatusFiles, readRunStatus } from "../../status/readRunStatus.js";
import { ExitCode } from "../exitCodes.js";

type StatusFlags = { json: boolean };

export function statusCommand(): Command {
    return new Command("status")
        .description("Show what a running (or ended) synthesize is doing, from its <output>.status.json: items, the step of each item in flight, tokens/s and ETA, for one output or every shard of a job array.")
        .argument("<output>", "the -o path given to synthesize (its shard files' status is found too), a shard file, or a status file")
        .option("--json", "print the status files as a JSON array, each with its liveness and age", false)
        .addHelpText("after", `
synthesize rewrites <output>.status.json every 5 seconds and at each item's end; at its end the
file says finished, stopped (a signal; run the same command to resume) or failed (with the
error). A writer killed without warning (SIGKILL, out of memory, a lost node) leaves a file
that says it is running: status checks its pid on this host and calls it GONE, and calls a
file not updated for three intervals (at least a minute) STALE.

Exit status: 0 when every run is working or finished, 1 when any failed or its writer is
gone or stale, 3 when any was stopped or has failed items.

Examples:
  reer status out/traces.jsonl                  # every shard of a job array at a glance
  watch -n 10 reer status out/traces.jsonl`)
        .action((output: string, flags: StatusFlags) => {
            const files = findStatusFiles(output);
            if (files.length === 0)
                throw new ReerError("STATUS_NOT_FOUND", `No status file for ${output} (looked for ${output}.status.json and its shard files' status).`,
                    "reer synthesize writes one next to its output while it runs; check the -o path, or the run has not opened its output yet.");
            const now = new Date();
            const statuses = files.map((file) => {
                const status = readRunStatus(file);
                return { file, status, ...assessRunStatus(status, now) };
            });
            process.stdout.write(flags.json ? JSON.stringify(statuses, null, 2) + "\n" : formatRunStatuses(statuses));
            if (statuses.some((entry) => needsAttention(entry.liveness)))
                process.exitCode = ExitCode.failure;
            else if (statuses.some((entry) => entry.liveness === "stopped" || entry.status.items.failed > 0))
                process.exitCode = ExitCode.partial;
        });
}
