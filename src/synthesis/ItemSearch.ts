import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { maxThinkingTokensOf } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";
import type { GenerationLane } from "../generation/GenerationLane.js";
import type { GenerationContext } from "../generation/GenerationContext.js";
import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { GenerationGrammar } from "../model/GenerationGrammar.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { rewriteGrammarSource } from "../generation/rewriteGrammar.js";
import type { ScoringContext } from "../scoring/ScoringContext.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import type { ScoringFrame, ScoringLayout } from "../scoring/ScoringLayout.js";
import type { TokenScorer } from "../scoring/TokenScorer.js";
import { objectiveValue } from "../search/objective.js";
import { runRefinementLoop, type EditRequest, type ProposedEdit, type SearchModels } from "../search/RefinementLoop.js";
import { describeRefusal } from "../trace/describeRefusal.js";
import type { DraftRefusal, Refusal } from "../trace/refusal.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { AbortedError } from "../util/AbortedError.js";
import { ResourcePool } from "../util/ResourcePool.js";
import { deriveSeed } from "../util/seededRandom.js";
import type { CallSampling, CandidateProposer } from "./CandidateProposer.js";
import { ConcurrentProposer } from "./ConcurrentProposer.js";
import { draftProblem, draftTrajectory, type Draft, type DraftLimits } from "./draftTrajectory.js";
import { budgetProblem, measureItemBudget, type ContextLimits, type ItemBudget } from "./itemBudget.js";
import { ItemMeter } from "./ItemMeter.js";
import { ItemRecord, toTraceScore, type DraftOutcome, type RunIdentity } from "./ItemRecord.js";
import { SequentialProposer } from "./SequentialProposer.js";
import type { SynthesisItem } from "./SynthesisItem.js";

export type ItemProgress = { item: SynthesisItem; phase: "initial" | "scoring" | "step"; stepsDone: number; stepsPlanned: number };

export type ItemHooks = {
    onProgress?: (progress: ItemProgress) => void;
    /** Checked between calls: true abandons the item. */
    shouldStop?: () => boolean;
    /** A stop that also ends the call in hand: generation between tokens, scoring between batches. The item is abandoned. */
    signal?: AbortSignal;
    /** One more token generated, by any of the item's generator calls (heartbeats). */
    onToken?: () => void;
};

/** Everything an item needs, loaded once per run and shared by the items in flight. */
export type SearchResources = {
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    generator: GenerationContext;
    scorer: ScoringContext;
    prompter: GenerationPrompter;
    layout: ScoringLayout;
    /** "auto" already settled to the mode that runs. */
    config: SynthesisConfig & { candidateMode: "sequential" | "concurrent" };
    configHash: string;
    /** The decisive settings behind configHash, kept in every record. */
    settings: Record<string, unknown>;
    contexts: ContextLimits;
    /** Budgets already measured when the contexts were sized, by item key; an item without one is measured here. */
    budgets?: ReadonlyMap<string, ItemBudget>;
};

/** Thrown when a stop was requested: the item is abandoned, not written, and redone on resume. */
export class ItemAbortedError extends AbortedError {}

/**
 * Runs REER on one (x, y) pair: checks that it fits the contexts, drafts the initial
 * trajectory, and searches from it, returning the full trace record. An item that cannot
 * start comes back `skipped` with its reason; once the search has started, a failure ends
 * it as `done` with the best trajectory so far and the error (stop reason "error").
 */
export class ItemSearch {
    private readonly scorers: ResourcePool<TokenScorer>;
    private readonly run: RunIdentity;
    /** The edit turn's grammar under --constrain-rewrite, compiled once for the run. */
    private readonly rewriteGrammar: GenerationGrammar | undefined;

    public constructor(private readonly resources: SearchResources) {
        this.scorers = new ResourcePool(resources.scorer.scorers);
        this.rewriteGrammar = resources.config.search.constrainRewrite === true
            ? resources.generatorModel.compileGrammar(rewriteGrammarSource({ maxNewTokens: resources.config.sampling.maxTokens }))
            : undefined;
        this.run = { config: resources.config, configHash: resources.configHash, settings: resources.settings, generator: resources.generatorModel.identity, scorer: resources.scorerModel.identity };
    }

    public async search(item: SynthesisItem, hooks: ItemHooks = {}): Promise<TraceRecord> {
        return await this.resources.generator.withGroup((lanes) => this.searchOnLanes(item, lanes, hooks));
    }

    private async searchOnLanes(item: SynthesisItem, lanes: GenerationLane[], hooks: ItemHooks): Promise<TraceRecord> {
        const meter = new ItemMeter();
        const record = new ItemRecord(item, this.run, meter);
        let scorer: TokenScorer | undefined;
        try {
            if (item.y.trim() === "")
                return record.skipped({ code: "empty-response" });
            const frame = this.resources.layout.frame(item.x, item.y);
            record.usedPrompts(frame.templateIds);
            const budget = this.resources.budgets?.get(item.key) ?? measureItemBudget(item, this.resources.prompter, this.resources.layout, this.limits());
            const problem = budgetProblem(budget, this.resources.contexts);
            if (problem != null)
                return record.skipped(problem);

            // One scoring sequence per item for its whole life: its KV cache keeps x and the
            // segments before the edited one between steps.
            scorer = await this.scorers.acquire();
            await scorer.reset();
            const itemScorer = scorer;
            const score = (z: string) => meter.timeScoring(() => itemScorer.score(frame.tokensFor(z), hooks.signal == null ? {} : { signal: hooks.signal }));

            hooks.onProgress?.({ item, phase: "initial", stepsDone: 0, stepsPlanned: 0 });
            const drafted = await this.draft(item, lanes[0]!, meter, record, score, hooks);
            this.checkStop(hooks);
            if (drafted.chosen == null)
                return record.skipped(drafted.refusal, drafted.outcome);
            return await this.refine(item, lanes, frame, drafted.chosen, drafted.outcome, { meter, record, score, hooks, ...drafted.scores });
        } catch (error) {
            if (error instanceof AbortedError)
                throw error instanceof ItemAbortedError ? error : new ItemAbortedError();
            if (error instanceof ReerError)
                return record.skipped({ code: "item-error", errorCode: error.code, message: error.message });
            return record.failed(error);
        } finally {
            if (scorer != null)
                this.scorers.release(scorer);
        }
    }

    private limits() {
        const { config } = this.resources;
        return { maxNew: config.sampling.maxTokens, maxThinking: maxThinkingTokensOf(config) };
    }

    /** The config's sampling for every call of an item, with the item's stop signal and token hook. */
    private sampling(hooks: ItemHooks): CallSampling {
        const { sampling } = this.resources.config;
        return {
            temperature: sampling.temperature, topP: sampling.topP, topK: sampling.topK, maxTokens: sampling.maxTokens,
            ...(sampling.repeatPenalty == null ? {} : { repeatPenalty: sampling.repeatPenalty }),
            ...(sampling.dryStrength == null ? {} : { dryStrength: sampling.dryStrength }),
            ...(hooks.signal == null ? {} : { signal: hooks.signal }),
            ...(hooks.onToken == null ? {} : { onToken: hooks.onToken })
        };
    }

    private checkStop(hooks: ItemHooks): void {
        if (hooks.shouldStop?.() === true || hooks.signal?.aborted === true)
            throw new ItemAbortedError();
    }

    /** Token counts of z in both vocabularies; z is bounded in both. */
    private lengthOf(z: string) {
        return { scorerTokens: this.scorerTokensOf(z), generatorTokens: this.resources.generatorModel.tokenizeText(z, "the trajectory", true).length };
    }

    /** z's length in the scorer's tokens, the vocabulary drafts are measured in against --min-thinking-tokens. */
    private scorerTokensOf(z: string): number {
        return this.resources.scorerModel.tokenizeText(z, "the trajectory", true).length;
    }

    /**
     * Drafts --initial-drafts trajectories and chooses the one to search from: the only one,
     * or the best-scoring draft that can start a search. A draft that cannot start one is
     * drafted again with the next seed, up to --redrafts more times. With several drafts
     * every one is recorded with its score or why it could not be used.
     */
    private async draft(item: SynthesisItem, lane: GenerationLane, meter: ItemMeter, record: ItemRecord,
        score: (z: string) => Promise<ScoreAggregates>, hooks: ItemHooks) {
        const { config, prompter } = this.resources;
        const count = config.search.initialDrafts;
        const attempts = count + (config.search.redrafts ?? 0);
        const limits: DraftLimits = {
            minThinkingTokens: config.search.minThinkingTokens, maxThinkingTokens: maxThinkingTokensOf(config),
            ...(config.search.maxDraftRepetition == null ? {} : { maxRepetition: config.search.maxDraftRepetition }),
            ...(config.search.screenDraftCopies === true ? { copyScreen: { y: item.y, maxVerbatimChars: config.search.maxVerbatimChars } } : {})
        };
        const drafts: { draft: Draft; problem: DraftRefusal | undefined; soft: boolean }[] = [];
        for (let k = 0; k < attempts && drafts.filter((entry) => entry.problem == null).length < count; k++) {
            // The first draft keeps the seeds of a single-draft run, so --initial-drafts 1 reproduces it.
            const suffix = k === 0 ? [] : [k];
            const opener = prompter.drawOpener(prompter.language(item.x), deriveSeed(config.seed, item.key, "opener", ...suffix));
            const draft = await draftTrajectory(lane, prompter, item, opener, deriveSeed(config.seed, item.key, "initial", ...suffix), this.sampling(hooks), meter);
            record.usedPrompts(draft.templateIds);
            const found = draftProblem(draft, this.lengthOf(draft.z), limits);
            drafts.push({ draft, problem: found?.refusal, soft: found?.soft === true });
        }
        const initialOf = ({ opener, raw, tokensGenerated, stop, closed }: Draft) => ({ opener, raw, tokensGenerated, stop, closed });
        // Drafts that only loop are searched from when no draft does better: the item is not lost.
        const clean = drafts.filter((entry) => entry.problem == null);
        const usable = clean.length > 0 ? clean : drafts.filter((entry) => entry.soft);
        if (usable.length === 0) {
            const first = drafts[0]!;
            const refusal: Refusal = drafts.length === 1 ? first.problem! : { code: "no-usable-draft", drafts: drafts.map(({ problem }) => problem!) };
            return { chosen: undefined, refusal,
                outcome: { initial: initialOf(first.draft), z0: first.draft.z, ...(drafts.length > 1 ? { drafts: drafts.map(({ draft, problem }) => ({ ...initialOf(draft), z: draft.z, ...rejectedDraft(problem!) })) } : {}) } };
        }
        // No thinking at all: the baseline every item records, and the objective's reference when it is a gain over it.
        const emptyZScore = await score("");
        // A single draft used despite a loop goes the long way, so the record says so.
        if (drafts.length === 1 && drafts[0]!.problem == null)
            return { chosen: usable[0]!.draft, outcome: { initial: initialOf(usable[0]!.draft) } as DraftOutcome, scores: { emptyZScore } };
        const scored = new Map<Draft, { score: ScoreAggregates; objective: number }>();
        for (const { draft } of usable) {
            const draftScore = await score(draft.z);
            scored.set(draft, { score: draftScore, objective: objectiveValue(config.search.objective, draftScore, emptyZScore) });
        }
        const best = usable.map((entry) => entry.draft).reduce((a, b) => (scored.get(b)!.objective < scored.get(a)!.objective ? b : a));
        const outcome: DraftOutcome = {
            initial: initialOf(best),
            drafts: drafts.map(({ draft, problem }) => {
                const result = scored.get(draft);
                return { ...initialOf(draft), z: draft.z, ...(result == null ? rejectedDraft(problem!)
                    : { score: toTraceScore(result.score), objective: result.objective, ...(problem == null ? {} : usedDespite(problem)) }) };
            })
        };
        return { chosen: best, outcome, scores: { emptyZScore, initialScore: scored.get(best)!.score } };
    }

    private async refine(item: SynthesisItem, lanes: GenerationLane[], frame: ScoringFrame, draft: Draft, drafts: DraftOutcome,
        context: { meter: ItemMeter; record: ItemRecord; score: (z: string) => Promise<ScoreAggregates>; hooks: ItemHooks; emptyZScore: ScoreAggregates; initialScore?: ScoreAggregates }) {
        const { config, prompter } = this.resources;
        const { meter, record, hooks } = context;
        const stepsPlanned = Math.min(config.search.maxSteps, draft.segments.length) * config.search.passes + (config.search.prune === true ? draft.segments.length : 0);
        hooks.onProgress?.({ item, phase: "scoring", stepsDone: 0, stepsPlanned });
        const proposerWith = (sampling: CallSampling): CandidateProposer => config.candidateMode === "concurrent"
            ? new ConcurrentProposer(lanes, sampling, meter)
            : new SequentialProposer(lanes[0]!, sampling, meter);
        const proposer = proposerWith({ ...this.sampling(hooks), ...(this.rewriteGrammar == null ? {} : { grammar: this.rewriteGrammar }) });
        // A paragraph ends at a blank line; a model that ends its thinking ends the paragraph too.
        const resampler = proposerWith({ ...this.sampling(hooks), stopStrings: ["\n\n", "</think>"] });
        const kind = config.search.proposer ?? "rewrite";
        const maxThinking = maxThinkingTokensOf(config);
        const rewrites = async (request: EditRequest, count: number): Promise<ProposedEdit[]> => {
            const prompt = prompter.edit(item.x, item.y, request.before, request.current, request.after);
            record.usedPrompts(prompt.templateIds);
            const seeds = Array.from({ length: count }, (_, k) => deriveSeed(config.seed, item.key, "edit", request.pass, request.segment, k));
            const generations = await proposer.propose(prompt.tokens, seeds);
            // The pre-fill is part of the turn: it may itself open the <refine> block.
            return generations.map((generation) => ({ raw: prompt.prefill + generation.text, tokensGenerated: generation.tokens }));
        };
        const resamples = async (request: EditRequest, count: number): Promise<ProposedEdit[]> => {
            const prompt = prompter.continuation(item.x, item.y, draft.opener, request.before);
            record.usedPrompts(prompt.templateIds);
            const seeds = Array.from({ length: count }, (_, k) => deriveSeed(config.seed, item.key, "resample", request.pass, request.segment, k));
            const generations = await resampler.propose(prompt.tokens, seeds);
            // The first segment starts with the opener, which is part of the pre-fill.
            const lead = request.before.length === 0 ? draft.opener : "";
            return generations.map((generation) => ({ raw: lead + paragraphOf(generation.text), tokensGenerated: generation.tokens, resampled: true }));
        };
        const models: SearchModels = {
            propose: async (request, count) => [
                ...(kind === "resample" ? [] : await rewrites(request, count)),
                ...(kind === "rewrite" ? [] : await resamples(request, count))
            ],
            score: context.score,
            fits: (z) => {
                const length = this.lengthOf(z);
                return length.scorerTokens <= maxThinking && length.generatorTokens <= maxThinking;
            },
            // The draft's own floor, in the scorer's tokens as drafts are measured.
            longEnough: (z) => this.scorerTokensOf(z) >= config.search.minThinkingTokens
        };
        const result = await runRefinementLoop(draft.segments, item.y, config.search, models, {
            emptyZScore: context.emptyZScore,
            ...(context.initialScore == null ? {} : { initialScore: context.initialScore }),
            hooks: {
                onStep: (_step, stepsDone) => hooks.onProgress?.({ item, phase: "step", stepsDone, stepsPlanned }),
                shouldStop: () => hooks.shouldStop?.() === true || hooks.signal?.aborted === true
            }
        });
        this.checkStop(hooks);
        return record.done(result, drafts, { scoreEmpty: context.emptyZScore, yHeadChars: frame.yHead.length });
    }
}

/** A draft entry's refusal: its sentence, and the same as data beside it. */
const rejectedDraft = (refusal: DraftRefusal) => ({ rejected: describeRefusal(refusal), refusal });
const usedDespite = (refusal: DraftRefusal) => ({ usedDespite: describeRefusal(refusal), refusal });

/** A resampled continuation up to its first blank line (or the end of the thinking), without either. */
function paragraphOf(text: string): string {
    return text.split("</think>")[0]!.split("\n\n")[0]!;
}
