import { ReerError } from "../errors/ReerError.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { settingsDiff } from "../util/settingsDiff.js";
import type { MergeSource } from "./mergeTraces.js";

/** The records of one config hash among the sources: how many, in which files, and the settings they name. */
type RunGroup = { configHash: string; records: number; files: string[]; settings: Record<string, unknown> | undefined };

/**
 * Shards made with different models or settings are two runs, not one: their records
 * disagree on what the thinking was optimised for. The merge refuses them, naming the
 * files of each run and what differs.
 */
export class MixedRunsError extends ReerError {
    public constructor(public readonly groups: RunGroup[]) {
        const [first, second] = groups as [RunGroup, RunGroup];
        const describe = (group: RunGroup) => `config ${group.configHash} in ${group.files.join(", ")} (${group.records} record(s))`;
        const changed = first.settings == null || second.settings == null ? [] : settingsDiff(first.settings, second.settings);
        super("MIXED_RUNS",
            `The traces hold ${groups.length} different runs: ${groups.map(describe).join("; ")}` +
            (changed.length === 0 ? "." : `; they differ in ${changed.join(", ")}.`),
            "Merge only the shards of one run: run the odd shards again with the same models and options (delete their files first), or merge each run separately.");
    }
}

/** Throws MixedRunsError unless every record of the sources carries the same config hash (models, settings, prompts). */
export function checkOneRun(sources: readonly MergeSource[]): void {
    const groups = new Map<string, RunGroup>();
    for (const { file, records } of sources) {
        for (const record of records as TraceRecord[]) {
            const group = groups.get(record.configHash) ?? { configHash: record.configHash, records: 0, files: [], settings: record.settings };
            group.records++;
            if (!group.files.includes(file))
                group.files.push(file);
            groups.set(record.configHash, group);
        }
    }
    if (groups.size > 1)
        throw new MixedRunsError([...groups.values()]);
}
