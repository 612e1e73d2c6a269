import { createHash } from "node:crypto";
import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";
import { GenerationPrompter } from "../generation/GenerationPrompter.js";
import { Generator } from "../generation/Generator.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptSet } from "../prompts/PromptSet.js";
import { Scorer, type KvCacheType } from "../scoring/Scorer.js";
import { createLayout } from "../scoring/scoreRecords.js";
import { shardOfKey, type ShardSpec } from "../sharding/ShardSpec.js";
import { resolveCandidateMode } from "./candidateMode.js";
import { measureItemBudget } from "./itemBudget.js";
import { ItemAbortedError, SynthesisEngine, type ItemProgress, type SynthesisItem } from "./SynthesisEngine.js";
import { TraceStore } from "../trace/TraceStore.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

export type SynthesisInput = { line: number; id?: string; prompt: string; response: string };

export type RunEvent =
    | { type: "start"; total: number; pending: number; alreadyDone: number; generatorContext: number; scorerContext: number; engine?: string }
    | { type: "progress"; progress: ItemProgress }
    | { type: "item"; record: TraceRecord; done: number; total: number; generatedTokens: number }
    | { type: "stopping" };

export type RunSynthesisOptions = {
    items: SynthesisInput[];
    output: string;
    config: SynthesisConfig;
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    prompts: PromptSet;
    threads: number;
    /** Cap for both contexts (default: each model's training context). */
    maxContextSize?: number;
    batchSize?: number;
    flashAttention?: boolean;
    kvCacheType?: KvCacheType;
    retryFailed?: boolean;
    /** Process only this shard's items. */
    shard?: ShardSpec;
    /** Other outputs of the same job (shard files of any shard count): items done or skipped there are not redone. */
    otherOutputs?: string[];
    /** Aborting stops taking new items; items in flight are abandoned, not written. */
    signal?: AbortSignal;
    onEvent?: (event: RunEvent) => void;
};

export type RunSummary = {
    total: number;
    /** Items of the input that belong to this shard (all of them without sharding). */
    inShard: number;
    alreadyDone: number;
    written: number;
    byStatus: Record<TraceRecord["status"], number>;
    stopped: boolean;
    repairedTornLine: boolean;
    droppedFailed: number;
};

/** The resume key: the id when there is one, else a hash of x and y. */
export function itemKey(input: SynthesisInput): string {
    if (input.id != null)
        return input.id;
    return "sha256:" + createHash("sha256").update(input.prompt).update("\u0000").update(input.response).digest("hex").slice(0, 24);
}

/** Hash of everything that decides results: a resumed run must match it. */
export function configHash(config: SynthesisConfig, generator: LoadedModel, scorer: LoadedModel, prompts: PromptSet): string {
    const decisive = {
        search: config.search,
        sampling: config.sampling,
        seed: config.seed,
        candidateMode: config.candidateMode,
        generatorTemplate: config.generatorTemplate,
        scorerTemplate: config.scorerTemplate,
        generator: { sha: generator.identity.headSha256, size: generator.identity.sizeBytes },
        scorer: { sha: scorer.identity.headSha256, size: scorer.identity.sizeBytes },
        prompts: prompts.fingerprint()
    };
    return createHash("sha256").update(JSON.stringify(decisive)).digest("hex").slice(0, 16);
}

/**
 * Runs `reer synthesize`: every pending item through the REER search, `parallel` at a time,
 * each finished item appended to the output at once. Items already done or skipped in the
 * output are not recomputed.
 */
export async function runSynthesis(options: RunSynthesisOptions): Promise<RunSummary> {
    const { generatorModel, scorerModel } = options;
    // "auto" is settled here, so the hash and the trace name the mode that actually ran.
    const config: SynthesisConfig = { ...options.config, candidateMode: resolveCandidateMode(options.config.candidateMode, generatorModel) };
    const items: SynthesisItem[] = options.items.map((input) => {
        const key = itemKey(input);
        return { id: input.id ?? key, key, line: input.line, x: input.prompt, y: input.response };
    });
    const seen = new Map<string, number>();
    for (const item of items) {
        const previous = seen.get(item.key);
        if (previous != null)
            throw new ReerError("DUPLICATE_ITEM", `Input lines ${previous} and ${item.line} are the same item (key ${item.key}).`,
                "Give every record a unique id, or remove the duplicate.");
        seen.set(item.key, item.line);
    }

    const hash = configHash(config, generatorModel, scorerModel, options.prompts);
    const opened = TraceStore.open(options.output, { retryFailed: options.retryFailed === true });
    const store = opened.store;
    try {
        for (const [key, stored] of opened.existing) {
            if (seen.has(key) && stored.configHash !== hash)
                throw new ReerError("CONFIG_CHANGED", `${options.output} holds item ${key} made with config ${stored.configHash}, but this run's config is ${hash}.`,
                    "Resume with the same models, prompts, seed and settings, or write to a new --output file.");
        }
        // Finished work in other shard files counts too, so a changed shard count loses nothing.
        const elsewhere = new Set<string>();
        for (const other of options.otherOutputs ?? []) {
            for (const record of TraceStore.read(other).records) {
                if (record.status !== "failed" || options.retryFailed !== true)
                    elsewhere.add(record.key);
                if (seen.has(record.key) && record.configHash !== hash)
                    throw new ReerError("CONFIG_CHANGED", `${other} holds item ${record.key} made with config ${record.configHash}, but this run's config is ${hash}.`,
                        "All shards of one job must use the same models, prompts, seed and settings.");
            }
        }
        const shard = options.shard;
        const mine = shard == null ? items : items.filter((item) => shardOfKey(item.key, shard.count) === shard.index);
        const pending = mine.filter((item) => !opened.existing.has(item.key) && !elsewhere.has(item.key));
        const alreadyDone = mine.length - pending.length;
        const summary: RunSummary = {
            total: mine.length, inShard: mine.length, alreadyDone, written: 0, byStatus: { done: 0, skipped: 0, failed: 0 }, stopped: false,
            repairedTornLine: opened.repairedTornLine, droppedFailed: opened.droppedFailed
        };
        if (pending.length === 0) {
            options.onEvent?.({ type: "start", total: mine.length, pending: 0, alreadyDone, generatorContext: 0, scorerContext: 0 });
            return summary;
        }

        const parallel = Math.min(config.parallel, pending.length);
        const prompter = new GenerationPrompter(generatorModel, options.prompts, config.generatorTemplate);
        const layout = createLayout(scorerModel, config.scorerTemplate, { prompts: options.prompts });
        // Size each context to the largest item of the input that can fit it (all items, not only
        // the pending ones, so a resumed run computes on the same contexts); larger items are skipped.
        const generatorCap = options.maxContextSize ?? generatorModel.trainContextSize;
        const scorerCap = options.maxContextSize ?? scorerModel.trainContextSize;
        let generatorNeed = 64;
        let scorerNeed = 64;
        for (const item of items) {
            try {
                item.budget = measureItemBudget(item, prompter, layout, config.sampling.maxTokens);
            } catch (error) {
                if (!(error instanceof ReerError))
                    throw error;
                // The engine reports the item as skipped with this same error.
                continue;
            }
            const need = Math.max(item.budget.edit, item.budget.initial);
            if (need <= generatorCap)
                generatorNeed = Math.max(generatorNeed, need);
            if (item.budget.scoring <= scorerCap)
                scorerNeed = Math.max(scorerNeed, item.budget.scoring);
        }
        const generator = await Generator.create(generatorModel, {
            threads: options.threads,
            contextSize: Math.min(generatorCap, roundUp(generatorNeed)),
            groups: parallel,
            lanesPerGroup: config.candidateMode === "concurrent" ? config.search.candidates : 1,
            ...(options.batchSize == null ? {} : { batchSize: options.batchSize }),
            ...(options.flashAttention == null ? {} : { flashAttention: options.flashAttention })
        });
        const scorer = await Scorer.create(scorerModel, {
            threads: options.threads,
            tokensNeeded: Math.min(scorerCap, roundUp(scorerNeed)),
            maxContextSize: scorerCap,
            sequences: parallel,
            clipFloor: config.search.clipFloor,
            ...(options.batchSize == null ? {} : { batchSize: options.batchSize }),
            ...(options.kvCacheType == null ? {} : { kvCacheType: options.kvCacheType })
        });
        options.onEvent?.({
            type: "start", total: mine.length, pending: pending.length, alreadyDone,
            generatorContext: generator.contextSize, scorerContext: scorer.contextSize,
            engine: `${generatorModel.runtime.describe()}; threads ${options.threads}, batch ${generator.context.batchSize}, ` +
                `GPU layers ${generatorModel.model.gpuLayers}${scorerModel === generatorModel ? "" : `/${scorerModel.model.gpuLayers}`}, ` +
                `${config.candidateMode} candidates, ${parallel * (config.candidateMode === "concurrent" ? config.search.candidates : 1)} generation sequence(s), ${parallel} scoring sequence(s)`
        });

        const engine = new SynthesisEngine({ generatorModel, scorerModel, generator, scorer, prompter, layout, config, configHash: hash });
        const stopRequested = () => options.signal?.aborted === true;
        options.signal?.addEventListener("abort", () => options.onEvent?.({ type: "stopping" }), { once: true });
        let next = 0;
        let generatedTokens = 0;
        const worker = async (): Promise<void> => {
            while (!stopRequested() && next < pending.length) {
                const item = pending[next++]!;
                let record: TraceRecord;
                try {
                    record = await engine.run(item, {
                        onProgress: (progress) => options.onEvent?.({ type: "progress", progress }),
                        shouldStop: stopRequested
                    });
                } catch (error) {
                    if (error instanceof ItemAbortedError)
                        return;
                    throw error;
                }
                store.append(record);
                summary.written++;
                summary.byStatus[record.status]++;
                generatedTokens += record.tokens.generated;
                options.onEvent?.({ type: "item", record, done: alreadyDone + summary.written, total: mine.length, generatedTokens });
            }
        };
        try {
            await Promise.all(Array.from({ length: parallel }, worker));
        } finally {
            await generator.dispose();
            await scorer.dispose();
        }
        summary.stopped = stopRequested() && alreadyDone + summary.written < mine.length;
        return summary;
    } finally {
        store.close();
    }
}

const roundUp = (tokens: number): number => Math.ceil(tokens / 64) * 64;
