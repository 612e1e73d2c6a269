import { ReerError } from "../errors/ReerError.js";
import { shardOfKey, type ShardSpec } from "../sharding/ShardSpec.js";
import type { StoredItem } from "../trace/TraceStore.js";
import { toSynthesisItem, type SynthesisInput, type SynthesisItem } from "./SynthesisItem.js";

export type RunPlanInput = {
    inputs: readonly SynthesisInput[];
    answerAfterThink: boolean;
    configHash: string;
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
                throw new ReerError("CONFIG_CHANGED", `${output.file} holds item ${stored.key} made with config ${stored.configHash}, but this run's config is ${input.configHash}.`,
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
