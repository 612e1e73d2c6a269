import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ReerError } from "../errors/ReerError.js";
import { findJobOutputs } from "../sharding/findShardOutputs.js";
import { runStatusSchema, statusFileOf, type RunStatus } from "../trace/runStatusSchema.js";

/** A status file and what it says. */
export type StatusFile = { file: string; status: RunStatus };

/** Reads and checks one status file; a file that is not one is an error naming the field. */
export function readRunStatus(file: string): RunStatus {
    let value: unknown;
    try {
        value = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
        throw new ReerError("STATUS_INVALID", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}.`,
            "A status file is written by reer synthesize next to its output; pass the output (-o) of the run.");
    }
    const parsed = runStatusSchema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ReerError("STATUS_INVALID", `${file} is not a reer status file: ${issue.path.join(".") || "(top level)"}: ${issue.message}.`,
            "It may come from another version of reer; the run's trace itself is unaffected.");
    }
    return parsed.data;
}

/**
 * The status files of a synthesize output: its own and those of its shard files (a job
 * array), found from the -o path given to synthesize, a shard file, or a status file.
 */
export function findStatusFiles(output: string): string[] {
    const trace = output.endsWith(".status.json") ? output.slice(0, -".status.json".length) : output;
    const candidates = [path.resolve(trace), ...findJobOutputs(trace)].map(statusFileOf);
    return [...new Set(candidates)].filter((file) => existsSync(file)).sort();
}
