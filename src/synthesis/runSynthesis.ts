import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { maxThinkingTokensOf } from "../config/synthesisConfig.js";
import { GenerationContext } from "../generation/GenerationContext.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptSet } from "../prompts/PromptSet.js";
import { ScoringContext, type KvCacheType } from "../scoring/ScoringContext.js";
import type { ShardSpec } from "../sharding/ShardSpec.js";
import { readTraceFile } from "../trace/readTrace.js";
import { addTurn, countEditTurns, type EditTurnCounts } from "../trace/editTurns.js";
import type { TraceLock } from "../trace/TraceLock.js";
import { TraceStore, type StoredItem, type TraceStoreOpenResult } from "../trace/TraceStore.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { sumWork, type RecordWork, type WorkTotals } from "../trace/workTotals.js";
import { resolveCandidateMode } from "./candidateMode.js";
import { decisiveSettings, hashSettings } from "./configHash.js";
import type { AdaptivePreset } from "./adaptToModels.js";
import { budgetWithLimits, sizeContexts, type ContextCaps, type ContextLimits, type ItemBudget } from "./itemBudget.js";
import { ItemAbortedError, ItemSearch, type ItemProgress, type SearchResources } from "./ItemSearch.js";
import { ItemHeartbeats, type Heartbeat } from "./ItemHeartbeats.js";
import { RunStatusWriter } from "./RunStatusWriter.js";
import { chooseItemsInFlight } from "./itemsInFlight.js";
import { planRun, type RunPlan } from "./planRun.js";
import { validateRun } from "./validateRun.js";
import { toSynthesisItem, type SynthesisInput, type SynthesisItem } from "./SynthesisItem.js";

export type { SynthesisInput } from "./SynthesisItem.js";
export { itemKey } from "./SynthesisItem.js";

export type RunEvent =
    | { type: "start"; total: number; pending: number; alreadyDone: number; generatorContext: number; scorerContext: number; parallel?: number; parallelReason?: string; runtime?: string;
        /** Settings the default preset changed for these models, one line each. */
        adaptations?: string[]; rewrites?: "constrained" | "free"; maxTokens?: number }
    | { type: "progress"; progress: ItemProgress }
    | { type: "item"; record: TraceRecord; done: number; total: number; generatedTokens: number }
    /** Every few seconds per item in flight (`heartbeatMs`): tokens so far in its current phase and the recent rate. */
    | ({ type: "heartbeat" } & Heartbeat)
    | { type: "stopping" };

export type RunSynthesisOptions = {
    items: SynthesisInput[];
    output: string;
    config: SynthesisConfig;
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    prompts: PromptSet;
    threads: number;
    /** Why `threads` (a default chosen for the machine), said in the start event's runtime line. */
    threadsReason?: string;
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
    /**
     * The default preset: settings the user did not give (`explicit`) are adapted to the
     * models (new-token cap to their contexts, constrained rewrites for small generators)
     * and said in the start event. Absent: the config runs exactly as given.
     */
    adaptToModels?: { explicit: ReadonlySet<string>; preset?: AdaptivePreset };
    /**
     * Aborting stops the calls in hand (generation between tokens, scoring between decode
     * batches) and takes no new items; items in flight are abandoned, not written, and a
     * resumed run redoes them.
     */
    signal?: AbortSignal;
    /** The output's lock, taken before the models were loaded; absent: the run takes it when it opens the output. */
    lock?: TraceLock;
    /**
     * Keep this file current with what the run is doing (`<output>.status.json` from the
     * CLI; see runStatusSchema.ts), every `statusIntervalMs` (default 5000) and at each
     * item's end; its last state says how the run ended. Absent: no status file.
     */
    statusFile?: string;
    statusIntervalMs?: number;
    /** Milliseconds between heartbeat events of the items in flight (absent or 0: none). */
    heartbeatMs?: number;
    onEvent?: (event: RunEvent) => void;
};

export type RunSummary = {
    total: number;
    /** Items of the input that belong to this shard (all of them without sharding). */
    inShard: number;
    alreadyDone: number;
    written: number;
    byStatus: Record<TraceRecord["status"], number>;
    /** Items written whose y is the response's text after its last "</think>". */
    thinkingStripped: number;
    stopped: boolean;
    /** Items in flight when the run was stopped: not written, redone by the next run. */
    abandoned: number;
    repairedTornLine: boolean;
    droppedFailed: number;
    /** The edit turns of the items written: how many gave a usable rewrite. */
    editTurns: EditTurnCounts;
    /** What the items written cost: tokens by kind, time and tokens/s by phase. */
    work: WorkTotals;
};

/** The config as it runs on these models: "auto" candidate mode settled, so the hash and the trace name what ran. */
export function effectiveConfig(config: SynthesisConfig, generatorModel: LoadedModel): SearchResources["config"] {
    return { ...config, candidateMode: resolveCandidateMode(config.candidateMode, generatorModel) };
}

/**
 * Runs `reer synthesize`: plans the work (resume, shards), sizes the contexts, then runs
 * every pending item through the REER search, `parallel` at a time, appending each
 * finished item to the output at once.
 */
export async function runSynthesis(options: RunSynthesisOptions): Promise<RunSummary> {
    const { generatorModel, scorerModel } = options;
    // Settings that cannot work fail here, before the output file is created or touched.
    const validated = validateRun({
        config: options.config, generatorModel, scorerModel, prompts: options.prompts,
        items: options.items.map((item) => toSynthesisItem(item, options.config.answerAfterThink)),
        ...(options.maxContextSize == null ? {} : { maxContextSize: options.maxContextSize }),
        ...(options.adaptToModels == null ? {} : { adaptToModels: options.adaptToModels })
    });
    const config = effectiveConfig(validated.config, generatorModel);
    const settings = decisiveSettings(config, generatorModel.identity, scorerModel.identity, options.prompts.fingerprint());
    const hash = hashSettings(settings);
    const opened = await TraceStore.open(options.output, { retryFailed: options.retryFailed === true, ...(options.lock == null ? {} : { lock: options.lock }) });
    // Written only while the output's lock is held, so one writer keeps it.
    const status = options.statusFile == null ? undefined : new RunStatusWriter(options.statusFile, {
        output: options.output,
        ...(options.shard == null ? {} : { shard: options.shard }),
        ...(options.statusIntervalMs == null ? {} : { intervalMs: options.statusIntervalMs })
    });
    try {
        const plan = await planAgainstOutputs(options, opened.existing, { configHash: hash, settings, answerAfterThink: config.answerAfterThink });
        const summary = emptySummary(plan, opened);
        status?.plan(plan.mine.length, plan.alreadyDone, plan.pending.length);
        if (plan.pending.length === 0) {
            options.onEvent?.({ type: "start", total: plan.mine.length, pending: 0, alreadyDone: plan.alreadyDone, generatorContext: 0, scorerContext: 0, adaptations: validated.adaptations });
            status?.end("finished");
            return summary;
        }
        await searchOnContexts({ plan, config, validated, configHash: hash, settings, store: opened.store, summary, status }, options);
        summary.stopped = options.signal?.aborted === true && plan.alreadyDone + summary.written < plan.mine.length;
        status?.end(summary.stopped ? "stopped" : "finished");
        return summary;
    } catch (error) {
        status?.end(options.signal?.aborted === true ? "stopped" : "failed", error instanceof Error ? error.message : String(error));
        throw error;
    } finally {
        opened.store.close();
    }
}

/** Which items this run does: those of its shard not finished in its output or the job's other outputs. */
async function planAgainstOutputs(options: RunSynthesisOptions, existing: StoredItem[], run: { configHash: string; settings: Record<string, unknown>; answerAfterThink: boolean }): Promise<RunPlan> {
    return planRun({
        inputs: options.items, answerAfterThink: run.answerAfterThink, configHash: run.configHash, settings: run.settings,
        output: { file: options.output, items: existing },
        others: await Promise.all((options.otherOutputs ?? []).map(async (file) => ({ file, items: await readTraceFile(file, { onTornTail: () => {} }) }))),
        ...(options.shard == null ? {} : { shard: options.shard }),
        retryFailed: options.retryFailed === true
    });
}

function emptySummary(plan: RunPlan, opened: TraceStoreOpenResult): RunSummary {
    return {
        total: plan.mine.length, inShard: plan.mine.length, alreadyDone: plan.alreadyDone, written: 0,
        byStatus: { done: 0, skipped: 0, failed: 0 }, thinkingStripped: 0, stopped: false, abandoned: 0,
        repairedTornLine: opened.repairedTornLine, droppedFailed: opened.droppedFailed,
        editTurns: countEditTurns([]),
        work: sumWork([])
    };
}

/** What a run has settled before it opens its contexts. */
type PlannedRun = {
    plan: RunPlan;
    config: SearchResources["config"];
    validated: ReturnType<typeof validateRun>;
    configHash: string;
    settings: Record<string, unknown>;
    store: TraceStore;
    summary: RunSummary;
    status: RunStatusWriter | undefined;
};

/** Sizes and opens the contexts, says how the run starts, and searches every pending item on them. */
async function searchOnContexts(run: PlannedRun, options: RunSynthesisOptions): Promise<void> {
    const { plan, config, validated, status } = run;
    const { generatorModel, scorerModel } = options;
    const { contexts, budgets } = sizeContextsFor(plan, config, validated.bases, validated.caps);
    const inFlight = await itemsInFlightFor(config, plan.pending.length, contexts, options);
    const { generator, scorer } = await openContexts(config, contexts, inFlight.parallel, options);
    try {
        options.onEvent?.({
            type: "start", total: plan.mine.length, pending: plan.pending.length, alreadyDone: plan.alreadyDone,
            generatorContext: generator.contextSize, scorerContext: scorer.contextSize,
            parallel: inFlight.parallel, parallelReason: inFlight.reason, adaptations: validated.adaptations,
            rewrites: config.search.constrainRewrite === true ? "constrained" : "free", maxTokens: config.sampling.maxTokens,
            runtime: describeRuntime({ generatorModel, scorerModel, threads: options.threads, threadsReason: options.threadsReason, batchSize: generator.batchSize, config, parallel: inFlight.parallel })
        });
        const search = new ItemSearch({ generatorModel, scorerModel, generator, scorer, prompter: validated.prompter, layout: validated.layout, config,
            configHash: run.configHash, settings: run.settings, contexts, budgets });
        status?.running();
        await searchPending(plan, inFlight.parallel, search, run.store, run.summary, { ...options, status });
    } finally {
        await scorer.dispose();
        await generator.dispose();
    }
}

/** Items in flight: --parallel, or on a GPU what the free memory holds at these context sizes. */
async function itemsInFlightFor(config: SearchResources["config"], pending: number, contexts: ContextLimits, options: RunSynthesisOptions) {
    const { generatorModel, scorerModel } = options;
    const lanes = config.candidateMode === "concurrent" ? config.search.candidates : 1;
    return chooseItemsInFlight({
        requested: config.parallel,
        pending,
        onGpu: generatorModel.onGpu,
        freeGpuBytes: await generatorModel.freeGpuBytes(),
        bytesPerItem: lanes * contexts.generator * generatorModel.kvBytesPerToken("F16") + contexts.scorer * scorerModel.kvBytesPerToken(options.kvCacheType ?? "F32")
    });
}

/** The generation and scoring contexts of a run: one lane group and one scoring sequence per item in flight. */
async function openContexts(config: SearchResources["config"], contexts: ContextLimits, parallel: number, options: RunSynthesisOptions) {
    const batch = options.batchSize == null ? {} : { batchSize: options.batchSize };
    const generator = await GenerationContext.create(options.generatorModel, {
        threads: options.threads,
        contextSize: contexts.generator,
        groups: parallel,
        lanesPerGroup: config.candidateMode === "concurrent" ? config.search.candidates : 1,
        ...batch,
        ...(options.flashAttention == null ? {} : { flashAttention: options.flashAttention })
    });
    try {
        const scorer = await ScoringContext.create(options.scorerModel, {
            threads: options.threads,
            tokensNeeded: contexts.scorer,
            maxContextSize: contexts.scorerCap,
            sequences: parallel,
            clipFloor: config.search.clipFloor,
            ...batch,
            ...(options.kvCacheType == null ? {} : { kvCacheType: options.kvCacheType })
        });
        return { generator, scorer };
    } catch (error) {
        await generator.dispose();
        throw error;
    }
}

/**
 * Both contexts sized for the largest item that fits the caps (every item of the input, so
 * a resumed run computes on the same contexts), from the budgets measured at validation.
 */
function sizeContextsFor(plan: RunPlan, config: SynthesisConfig, bases: readonly (ItemBudget | undefined)[], caps: ContextCaps): { contexts: ContextLimits; budgets: Map<string, ItemBudget> } {
    const limits = { maxNew: config.sampling.maxTokens, maxThinking: maxThinkingTokensOf(config) };
    // Validation measured the input in the order planRun keeps it.
    const budgets = plan.items.map((_item, index) => (bases[index] == null ? undefined : budgetWithLimits(bases[index]!, limits)));
    // Kept by key, so an item's search checks the budget measured here instead of tokenising its prompts again.
    const byKey = new Map(plan.items.flatMap((item, index) => (budgets[index] == null ? [] : [[item.key, budgets[index]!] as const])));
    return { contexts: sizeContexts(budgets, caps), budgets: byKey };
}

/** `parallel` workers take pending items in order; each finished record is appended at once. */
async function searchPending(plan: RunPlan, parallel: number, search: ItemSearch, store: TraceStore, summary: RunSummary,
    options: RunSynthesisOptions & { status: RunStatusWriter | undefined }): Promise<void> {
    // A stop or a failed append (a full disk) stops every worker: the calls in hand end within a
    // decode step, items in flight are abandoned, and an append error is rethrown once all have stopped.
    let appendFailure: { error: unknown } | undefined;
    const stop = new AbortController();
    const onAbort = (): void => {
        options.onEvent?.({ type: "stopping" });
        stop.abort();
    };
    if (options.signal?.aborted === true)
        stop.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const heartbeats = new ItemHeartbeats(options.heartbeatMs ?? 0, (beat) => options.onEvent?.({ type: "heartbeat", ...beat }));
    const watchers = { heartbeats, status: options.status, onEvent: options.onEvent };
    let next = 0;
    let generatedTokens = 0;
    const costs: RecordWork[] = [];
    const worker = async (): Promise<void> => {
        while (!stop.signal.aborted && next < plan.pending.length) {
            const record = await searchWatched(search, plan.pending[next++]!, stop.signal, watchers);
            if (record == null) {
                summary.abandoned++;
                return;
            }
            try {
                store.append(record);
            } catch (error) {
                appendFailure ??= { error };
                stop.abort();
                return;
            }
            countWritten(summary, record, costs);
            generatedTokens += record.tokens.generated;
            options.status?.item(record);
            options.onEvent?.({ type: "item", record, done: plan.alreadyDone + summary.written, total: plan.mine.length, generatedTokens });
        }
    };
    try {
        await Promise.all(Array.from({ length: parallel }, worker));
    } finally {
        summary.work = sumWork(costs);
        heartbeats.stop();
        options.signal?.removeEventListener("abort", onAbort);
    }
    if (appendFailure != null)
        throw appendFailure.error;
}

type Watchers = { heartbeats: ItemHeartbeats; status: RunStatusWriter | undefined; onEvent: RunSynthesisOptions["onEvent"] };

/** One item's search, with its phases and tokens reported as they happen; undefined when a stop abandoned it. */
async function searchWatched(search: ItemSearch, item: SynthesisItem, signal: AbortSignal, watchers: Watchers): Promise<TraceRecord | undefined> {
    const { heartbeats, status } = watchers;
    try {
        return await search.search(item, {
            onProgress: (progress) => {
                heartbeats.phase(progress);
                status?.phase(progress);
                watchers.onEvent?.({ type: "progress", progress });
            },
            signal,
            onToken: () => {
                heartbeats.token(item);
                status?.token(item);
            }
        });
    } catch (error) {
        if (error instanceof ItemAbortedError)
            return undefined;
        throw error;
    } finally {
        heartbeats.finished(item);
        status?.finished(item);
    }
}

/** Adds a written record to the run's summary. */
function countWritten(summary: RunSummary, record: TraceRecord, costs: RecordWork[]): void {
    summary.written++;
    summary.byStatus[record.status]++;
    if (record.thinkingStrippedChars != null)
        summary.thinkingStripped++;
    costs.push({ tokens: record.tokens, timings: record.timings });
    for (const step of record.steps)
        step.candidates.forEach((candidate) => addTurn(summary.editTurns, candidate));
}

/** The runtime line of the run banner: backend, build, threads and how sequences are used. */
function describeRuntime(run: { generatorModel: LoadedModel; scorerModel: LoadedModel; threads: number; threadsReason: string | undefined; batchSize: number; config: SearchResources["config"]; parallel: number }): string {
    const { generatorModel, scorerModel, config, parallel } = run;
    const lanes = parallel * (config.candidateMode === "concurrent" ? config.search.candidates : 1);
    return `${generatorModel.runtime.describe()}; threads ${run.threads}${run.threadsReason == null ? "" : ` (${run.threadsReason})`}, batch ${run.batchSize}, ` +
        `GPU layers ${generatorModel.gpuLayers}${scorerModel === generatorModel ? "" : `/${scorerModel.gpuLayers}`}, ` +
        `${config.candidateMode} candidates, ${lanes} generation sequence(s), ${parallel} scoring sequence(s)`;
}
