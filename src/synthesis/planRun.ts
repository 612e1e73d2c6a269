import { ReerError } from "../errors/ReerError.js";
import { shardOfKey, type ShardSpec } from "../sharding/ShardSpec.js";
import type { StoredItem } from "../trace/TraceStore.js";
import { settingsDiff } from "./configHash.js";
import { toSynthesisItem, type SynthesisInput, type SynthesisItem } from "./SynthesisItem.js";

export type RunPlanInput = {
    inputs: readonly SynthesisInput[];
    answerAfterThink: boolean;
    configHash: string;
    /** The settings behind configHash: a refused resume names the ones that changed. */
    settings?: Record<string, unknown>;
    /** The output being appended to: its items, and its name for messages. */
    output: { file: string; items: readonly StoredItem[] };
    /** Other outputs of the same job (shard files of any shard count). */
    others: readonly { file: string; items: readonly StoredItem[] }[];
    shard?: ShardSpec;
    retryFailed: boolean;
};

export type RunPlan = {
    /** Every input item, in input order (contexts are sized from all of them, so a resumed run computes on the same contexts). */
    items: SynthesisItem[];
    /** The items of this shard (all of them without sharding). */
    mine: SynthesisItem[];
    /** The items of this shard that no output holds yet: the work of this run. */
    pending: SynthesisItem[];
    alreadyDone: number;
};

/**
 * Decides what a run does, without touching a model or a file: refuses duplicate items and
 * outputs made with other settings, keeps this shard's items, and leaves out those that
 * an output already holds (failed ones only when they are not to be retried).
 */
export function planRun(input: RunPlanInput): RunPlan {
    const items = input.inputs.map((record) => toSynthesisItem(record, input.answerAfterThink));
    const lineOf = new Map<string, number>();
    for (const item of items) {
        const previous = lineOf.get(item.key);
        if (previous != null)
            throw new ReerError("DUPLICATE_ITEM", `Input lines ${previous} and ${item.line} are the same item (key ${item.key}).`,
                "Give every record a unique id, or remove the duplicate.");
        lineOf.set(item.key, item.line);
    }
    const finished = new Set<string>();
    for (const [index, output] of [input.output, ...input.others].entries()) {
        for (const stored of output.items) {
            if (lineOf.has(stored.key) && stored.configHash !== input.configHash)
                throw new ReerError("CONFIG_CHANGED", `${output.file} holds item ${stored.key} made with other settings: ${changedSettings(stored, input)}.`,
                    index === 0
                        ? "Resume with the same models, prompts, seed and settings, or write to a new --output file."
                        : "All shards of one job must use the same models, prompts, seed and settings.");
            if (stored.status !== "failed" || !input.retryFailed)
                finished.add(stored.key);
        }
    }
    const shard = input.shard;
    const mine = shard == null ? items : items.filter((item) => shardOfKey(item.key, shard.count) === shard.index);
    const pending = mine.filter((item) => !finished.has(item.key));
    return { items, mine, pending, alreadyDone: mine.length - pending.length };
}

/** What differs between a stored item's settings and this run's, or the two hashes for records that predate the settings field. */
function changedSettings(stored: StoredItem, input: RunPlanInput): string {
    if (stored.settings == null || input.settings == null)
        return `config ${stored.configHash} there, ${input.configHash} in this run`;
    const changed = settingsDiff(stored.settings, input.settings);
    const describe = (path: string) => {
        const valueAt = (settings: Record<string, unknown>) => path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], settings);
        return `${path} (${JSON.stringify(valueAt(stored.settings!)) ?? "unset"} there, ${JSON.stringify(valueAt(input.settings!)) ?? "unset"} now)`;
    };
    return changed.length === 0 ? `config ${stored.configHash} there, ${input.configHash} in this run` : changed.map(describe).join(", ");
}
