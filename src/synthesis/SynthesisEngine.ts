import type { Token } from "node-llama-cpp";
import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";
import type { GenerationLane } from "../generation/GenerationLane.js";
import type { Generator } from "../generation/Generator.js";
import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { Scorer } from "../scoring/Scorer.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";
import type { TokenScorer } from "../scoring/TokenScorer.js";
import { runRefinementLoop, type SearchHooks } from "../search/RefinementLoop.js";
import { joinSegments, segmentText } from "../text/segmentText.js";
import { ResourcePool } from "../util/ResourcePool.js";
import { deriveSeed } from "../util/seededRandom.js";
import { REER_VERSION } from "../version.js";
import { budgetProblem, measureItemBudget, type ItemBudget } from "./itemBudget.js";
import type { TraceRecord, TraceScore } from "../trace/traceRecordSchema.js";

export { REER_VERSION } from "../version.js";

export type SynthesisItem = {
    id: string;
    key: string;
    line: number;
    x: string;
    y: string;
    /** Measured when the run sized its contexts; measured again here otherwise. */
    budget?: ItemBudget;
};

export type ItemProgress = { item: SynthesisItem; phase: "initial" | "scoring" | "step"; stepsDone: number; stepsPlanned: number };

/** Everything an item needs, loaded once per run and shared by the items in flight. */
export type SynthesisResources = {
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    generator: Generator;
    scorer: Scorer;
    prompter: GenerationPrompter;
    layout: ScoringLayout;
    config: SynthesisConfig;
    configHash: string;
};

const toTraceScore = (score: ScoreAggregates): TraceScore => ({
    clippedMeanNll: score.clippedMeanNll,
    meanNll: score.meanNll,
    ppl: score.ppl,
    tokenCount: score.tokenCount,
    sumLogprob: score.sumLogprob
});

export type ItemHooks = { onProgress?: (progress: ItemProgress) => void; shouldStop?: () => boolean };

export class ItemAbortedError extends Error {
    public constructor() {
        super("aborted");
    }
}

/**
 * Runs REER on one (x, y) pair: initial trajectory, checks, segmentation and the
 * refinement loop, returning the full trace record. Items that cannot be processed
 * come back as `skipped` with a reason; unexpected errors as `failed`.
 */
export class SynthesisEngine {
    private readonly scorers: ResourcePool<TokenScorer>;

    public constructor(private readonly resources: SynthesisResources) {
        this.scorers = new ResourcePool(resources.scorer.workers);
    }

    public async run(item: SynthesisItem, hooks: ItemHooks = {}): Promise<TraceRecord> {
        return await this.resources.generator.withGroup((lanes) => this.runOnLanes(item, lanes, hooks));
    }

    private async runOnLanes(item: SynthesisItem, lanes: GenerationLane[], hooks: ItemHooks): Promise<TraceRecord> {
        const started = performance.now();
        const { config, generatorModel, scorerModel } = this.resources;
        const counters = { generated: 0, promptEvaluated: 0, promptReused: 0, scoringEvaluated: 0, scoringReused: 0, generationMs: 0, promptEvalMs: 0, scoringMs: 0 };
        const base = {
            id: item.id,
            key: item.key,
            line: item.line,
            x: item.x,
            y: item.y,
            objective: config.search.objective,
            steps: [],
            models: { generator: generatorModel.identity, scorer: scorerModel.identity },
            seed: config.seed,
            configHash: this.resources.configHash,
            reerVersion: REER_VERSION
        };
        const finish = (fields: Partial<TraceRecord> & Pick<TraceRecord, "status" | "prompts">): TraceRecord => ({
            ...base,
            ...fields,
            tokens: {
                generated: counters.generated, promptEvaluated: counters.promptEvaluated, promptReused: counters.promptReused,
                scoringEvaluated: counters.scoringEvaluated, scoringReused: counters.scoringReused
            },
            timings: {
                totalMs: round(performance.now() - started), generationMs: round(counters.generationMs),
                promptEvalMs: round(counters.promptEvalMs), scoringMs: round(counters.scoringMs)
            }
        });

        let prompts: string[] = [];
        let scorer: TokenScorer | undefined;
        try {
            const frame = this.resources.layout.frame(item.x, item.y);
            prompts = [...frame.templateIds];
            // The item's worst case is checked against both contexts before any generation.
            const budget = item.budget ?? measureItemBudget(item, this.resources.prompter, this.resources.layout, config.sampling.maxTokens);
            const problem = budgetProblem(budget, this.resources.generator.contextSize, this.resources.scorer.contextSize);
            if (problem != null)
                return finish({ status: "skipped", reason: problem, prompts });

            // One scoring sequence per item for its whole life: its KV cache keeps x and the
            // segments before the edited one between steps.
            scorer = await this.scorers.acquire();
            await scorer.reset();
            const itemScorer = scorer;
            const score = async (z: string): Promise<ScoreAggregates> => {
                const t0 = performance.now();
                try {
                    const result = await itemScorer.score(frame.tokensFor(z));
                    counters.scoringEvaluated += result.evaluatedTokens;
                    counters.scoringReused += result.reusedTokens;
                    return result;
                } finally {
                    counters.scoringMs += performance.now() - t0;
                }
            };
            // Lane k serves candidate k in concurrent mode; lane 0 serves everything else.
            const generate = async (lane: GenerationLane, tokens: Token[], seed: number, stopStrings: string[]) => {
                const generation = await lane.generate(tokens, {
                    temperature: config.sampling.temperature,
                    topP: config.sampling.topP,
                    topK: config.sampling.topK,
                    maxTokens: config.sampling.maxTokens,
                    seed,
                    stopStrings
                });
                counters.generated += generation.tokens;
                counters.promptEvaluated += tokens.length - generation.reusedPromptTokens;
                counters.promptReused += generation.reusedPromptTokens;
                counters.promptEvalMs += generation.promptMs;
                return generation;
            };
            // Wall time of a generation phase (candidates of a step run concurrently).
            const timed = async <T>(phase: () => Promise<T>): Promise<T> => {
                const t0 = performance.now();
                try {
                    return await phase();
                } finally {
                    counters.generationMs += performance.now() - t0;
                }
            };

            // 1. The initial trajectory.
            hooks.onProgress?.({ item, phase: "initial", stepsDone: 0, stepsPlanned: 0 });
            const language = this.resources.prompter.language(item.x);
            const opener = this.resources.prompter.drawOpener(language, deriveSeed(config.seed, item.key, "opener"));
            const initialPrompt = this.resources.prompter.initial(item.x, item.y, opener);
            prompts = [...new Set([...prompts, ...initialPrompt.templateIds])];
            const initial = await timed(() => generate(lanes[0]!, initialPrompt.tokens, deriveSeed(config.seed, item.key, "initial"), ["</think>"]));
            if (hooks.shouldStop?.() === true)
                throw new ItemAbortedError();
            const closeAt = initial.text.indexOf("</think>");
            const z0Raw = opener + (closeAt >= 0 ? initial.text.slice(0, closeAt) : initial.text);
            const initialTrace = { opener, raw: initial.text, tokensGenerated: initial.tokens, stop: initial.stop, closed: closeAt >= 0 };

            const segments0 = segmentText(z0Raw).map((segment) => segment.trim()).filter((segment) => segment !== "");
            const z0 = joinSegments(segments0);
            const z0Tokens = scorerModel.tokenizeText(z0, "the initial trajectory", true).length;
            if (z0Tokens < config.search.minThinkingTokens)
                return finish({ status: "skipped", reason: `initial trajectory too short: ${z0Tokens} tokens < ${config.search.minThinkingTokens}`, z0, initial: initialTrace, prompts });
            if (segments0.length < 2)
                return finish({ status: "skipped", reason: "initial trajectory has a single segment", z0, initial: initialTrace, prompts });

            // 2. The refinement loop.
            hooks.onProgress?.({ item, phase: "scoring", stepsDone: 0, stepsPlanned: Math.min(config.search.maxSteps, segments0.length) * config.search.passes });
            const scoreEmptyZ = await score("");
            const stepsPlanned = Math.min(config.search.maxSteps, segments0.length) * config.search.passes;
            const searchHooks: SearchHooks = {
                onStep: (_step, stepsDone) => hooks.onProgress?.({ item, phase: "step", stepsDone, stepsPlanned }),
                ...(hooks.shouldStop == null ? {} : { shouldStop: hooks.shouldStop })
            };
            let editPromptIds: string[] = [];
            const result = await runRefinementLoop(segments0, item.y, config.search, {
                propose: async (request, count) => {
                    const prompt = this.resources.prompter.edit(item.x, item.y, request.before, request.current, request.after);
                    editPromptIds = prompt.templateIds;
                    const seedOf = (k: number) => deriveSeed(config.seed, item.key, "edit", request.pass, request.segment, k);
                    const generations = await timed(async () => {
                        if (config.candidateMode === "concurrent") {
                            // One lane evaluates the changed part of the prompt; the others get a copy.
                            const used = lanes.slice(0, Math.min(count, lanes.length));
                            const shared = await used[0]!.sharePromptWith(used.slice(1), prompt.tokens);
                            counters.promptEvaluated += shared.evaluatedTokens;
                            counters.promptEvalMs += shared.ms;
                            return await Promise.all(Array.from({ length: count }, (_, k) =>
                                generate(lanes[k % lanes.length]!, prompt.tokens, seedOf(k), ["</refine>"])));
                        }
                        // One lane: every candidate after the first reuses the evaluated prompt.
                        const sequential = [];
                        for (let k = 0; k < count; k++)
                            sequential.push(await generate(lanes[0]!, prompt.tokens, seedOf(k), ["</refine>"]));
                        return sequential;
                    });
                    // The pre-fill is part of the turn: it may itself open the <refine> block.
                    return generations.map((generation) => ({
                        raw: prompt.prefill + generation.text,
                        tokensGenerated: generation.tokens,
                        cutByTokenLimit: generation.stop === "max-tokens"
                    }));
                },
                score
            }, { emptyZScore: scoreEmptyZ, hooks: searchHooks });
            if (hooks.shouldStop?.() === true)
                throw new ItemAbortedError();

            return finish({
                status: "done",
                z0: result.z0,
                z: result.z,
                score0: toTraceScore(result.score0),
                score: toTraceScore(result.score),
                scoreEmptyZ: toTraceScore(scoreEmptyZ),
                objective0: result.objective0,
                objectiveFinal: result.objective,
                steps: result.steps.map((step) => ({
                    ...step,
                    bestScore: toTraceScore(step.bestScore),
                    candidates: step.candidates.map((candidate) => ({
                        ...candidate,
                        ...(candidate.score == null ? {} : { score: toTraceScore(candidate.score) })
                    }))
                })),
                stopReason: result.stopReason,
                segments: segments0.length,
                initial: initialTrace,
                yHeadChars: frame.yHead.length,
                prompts: [...new Set([...prompts, ...editPromptIds])]
            });
        } catch (error) {
            if (error instanceof ItemAbortedError)
                throw error;
            if (error instanceof ReerError)
                return finish({ status: "skipped", reason: error.message, prompts });
            return finish({ status: "failed", error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), prompts });
        } finally {
            if (scorer != null)
                this.scorers.release(scorer);
        }
    }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
