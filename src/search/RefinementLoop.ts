import type { SearchConfig } from "../config/searchConfig.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import { joinSegments } from "../text/segmentText.js";
import { AbortedError } from "../util/AbortedError.js";
import { longestSharedRun } from "../text/longestSharedRun.js";
import { LOOP_CJK_N, LOOP_WORD_N, repetitionRatio } from "../text/repetitionRatio.js";
import { objectiveValue } from "./objective.js";
import { extractRefineBlock, type RefineBlock } from "./refineBlock.js";
import type { CandidateTrace, SearchResult, SearchStopReason, StepTrace } from "./SearchTrace.js";

/** What the generator is asked to rewrite. */
export type EditRequest = {
    pass: number;
    segment: number;
    /** Segments before the one being edited (already final in this pass). */
    before: string[];
    current: string;
    /** Segments after it (as they stand). */
    after: string[];
};

export type ProposedEdit = {
    /** The generator's whole turn, pre-fill included. */
    raw: string;
    tokensGenerated?: number;
    /**
     * A resampled paragraph: the candidate is `raw` itself (cut at its blank line), not a
     * <refine> block found in it. It goes through the same screening as a rewrite.
     */
    resampled?: true;
};

/** The two model roles as the loop sees them; scripted versions drive the fidelity tests. */
export interface SearchModels {
    propose(request: EditRequest, count: number): Promise<ProposedEdit[]>;
    score(z: string): Promise<ScoreAggregates>;
    /** False when z is longer than the contexts can take (the candidate is refused as "too-long"). */
    fits?(z: string): boolean;
    /** False when z is shorter than a trajectory may be (--min-thinking-tokens): a removal that would leave it so is not tried. */
    longEnough?(z: string): boolean;
}

export type SearchHooks = {
    onStep?: (step: StepTrace, stepsDone: number) => void;
    /** Checked between steps: return true to stop (the result so far is returned). */
    shouldStop?: () => boolean;
};

export type SearchOptions = {
    emptyZScore?: ScoreAggregates;
    /** The score of the initial trajectory when the caller already has it (drafts are scored to pick one). */
    initialScore?: ScoreAggregates;
    hooks?: SearchHooks;
};

/** The best trajectory so far and how it scores; only `accept` changes it, and only for the better. */
class SearchState {
    public readonly steps: StepTrace[] = [];

    public constructor(public readonly segments: string[], public bestScore: ScoreAggregates, public best: number) {}

    public accept(index: number, text: string, score: ScoreAggregates, objective: number): void {
        this.segments[index] = text;
        this.bestScore = score;
        this.best = objective;
    }
}

/**
 * The REER refinement loop (method.md section 5): visit segments left to right, ask for
 * rewrites of one segment at a time, score each full trajectory, and keep the best
 * candidate only if it beats the best score so far. The best score never gets worse. A
 * generation or scoring call that fails midway ends the search with the best trajectory
 * found so far (stop reason "error"), so no finished step is ever lost; an AbortedError
 * (a stop requested mid-call) is passed on instead.
 */
export async function runRefinementLoop(
    segments0: string[],
    y: string,
    config: SearchConfig,
    models: SearchModels,
    options: SearchOptions = {}
): Promise<SearchResult> {
    const objectiveOf = (score: ScoreAggregates) => objectiveValue(config.objective, score, options.emptyZScore);
    const trimmed = segments0.map((segment) => segment.trim());
    const z0 = joinSegments(trimmed);
    const score0 = options.initialScore ?? await models.score(z0);
    const objective0 = objectiveOf(score0);
    const state = new SearchState([...trimmed], score0, objective0);
    const finish = (stopReason: SearchStopReason, stopError?: string): SearchResult => ({
        segments0: trimmed,
        segments: present(state.segments),
        z0,
        z: joinSegments(state.segments),
        score0,
        score: state.bestScore,
        objective0,
        objective: state.best,
        steps: state.steps,
        stopReason,
        ...(stopError == null ? {} : { stopError })
    });

    if (score0.clippedMeanNll < config.stopThreshold)
        return finish("initial-below-threshold");
    if (config.maxSteps === 0 || state.segments.length === 0)
        return finish("no-steps");
    try {
        const stopReason = await runPasses(state, y, config, models, objectiveOf, options.hooks);
        if (config.prune !== true || stopReason === "below-threshold")
            return finish(stopReason);
        await runPrunePass(state, config, models, objectiveOf, options.hooks);
        return finish(state.bestScore.clippedMeanNll < config.stopThreshold ? "below-threshold" : stopReason);
    } catch (error) {
        // A stop is not a failure: the caller abandons the item rather than record a search cut short.
        if (error instanceof AbortedError)
            throw error;
        return finish("error", error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
}

async function runPasses(state: SearchState, y: string, config: SearchConfig, models: SearchModels,
    objectiveOf: (score: ScoreAggregates) => number, hooks: SearchHooks | undefined): Promise<SearchStopReason> {
    let passesWithoutGain = 0;
    let stopReason: SearchStopReason = "all-segments";
    for (let pass = 1; pass <= config.passes; pass++) {
        let gainedThisPass = false;
        const visits = Math.min(config.maxSteps, state.segments.length);
        for (let index = 0; index < visits; index++) {
            if (hooks?.shouldStop?.() === true)
                return stopReason;
            const step = await runStep(state, { pass, segment: index, before: state.segments.slice(0, index), current: state.segments[index]!, after: state.segments.slice(index + 1) },
                y, config, models, objectiveOf);
            gainedThisPass ||= step.chosen != null;
            state.steps.push(step);
            hooks?.onStep?.(step, state.steps.length);
            if (state.bestScore.clippedMeanNll < config.stopThreshold)
                return "below-threshold";
        }
        stopReason = config.maxSteps < state.segments.length ? "max-steps" : "all-segments";
        passesWithoutGain = gainedThisPass ? 0 : passesWithoutGain + 1;
        if (pass < config.passes && passesWithoutGain >= config.patience)
            return "patience";
    }
    return stopReason;
}

/** The segments still in z: a removed one stays in place as "" so that indices keep naming the same segment. */
const present = (segments: readonly string[]): string[] => segments.filter((segment) => segment !== "");

/**
 * --prune: one pass after the others that tries z without each segment, left to right, and
 * keeps a removal only when it beats the best so far. Each try is one scoring call and a
 * step of the trace (pass = passes + 1) whose only candidate is the removal. A removal that
 * would leave fewer than two segments, or z under --min-thinking-tokens, is not tried.
 */
async function runPrunePass(state: SearchState, config: SearchConfig, models: SearchModels,
    objectiveOf: (score: ScoreAggregates) => number, hooks: SearchHooks | undefined): Promise<void> {
    for (let index = 0; index < state.segments.length; index++) {
        const original = state.segments[index]!;
        if (original === "" || present(state.segments).length <= 2)
            continue;
        if (hooks?.shouldStop?.() === true)
            return;
        const z = joinSegments(state.segments.map((segment, position) => (position === index ? "" : segment)));
        if (models.longEnough?.(z) === false)
            continue;
        const score = await models.score(z);
        const objective = objectiveOf(score);
        const candidate: CandidateTrace = { raw: "", text: "", proposer: "prune", status: "scored", score, objective };
        const improves = objective < state.best - config.minImprovement;
        if (improves)
            state.accept(index, "", score, objective);
        const step: StepTrace = { pass: config.passes + 1, segment: index, original, candidates: [candidate], chosen: improves ? 0 : null, best: state.best, bestScore: state.bestScore };
        state.steps.push(step);
        hooks?.onStep?.(step, state.steps.length);
        if (state.bestScore.clippedMeanNll < config.stopThreshold)
            return;
    }
}

/** One visit of one segment: propose, screen, score, and accept the winner only when it beats the best so far. */
async function runStep(state: SearchState, request: EditRequest, y: string, config: SearchConfig, models: SearchModels,
    objectiveOf: (score: ScoreAggregates) => number): Promise<StepTrace> {
    const proposals = await models.propose(request, config.candidates);
    const candidates: CandidateTrace[] = [];
    let chosen: number | null = null;
    let chosenScore: ScoreAggregates | undefined;
    let chosenObjective = Number.POSITIVE_INFINITY;
    for (const proposal of proposals) {
        const trace = screenCandidate(proposal, request.current, y, config);
        candidates.push(trace);
        if (trace.status !== "scored")
            continue;
        const z = joinSegments([...request.before, trace.text!, ...request.after]);
        if (models.fits?.(z) === false) {
            trace.status = "rejected";
            trace.reason = "too-long";
            continue;
        }
        const score = await models.score(z);
        trace.score = score;
        trace.objective = objectiveOf(score);
        if (trace.objective < chosenObjective) {
            chosenObjective = trace.objective;
            chosen = candidates.length - 1;
            chosenScore = score;
        }
    }
    // Keep the winner only when it strictly beats the best so far (by minImprovement).
    if (chosen != null && chosenObjective < state.best - config.minImprovement)
        state.accept(request.segment, candidates[chosen]!.text!, chosenScore!, chosenObjective);
    else
        chosen = null;
    return { pass: request.pass, segment: request.segment, original: request.current, candidates, chosen, best: state.best, bestScore: state.bestScore };
}

/** Rejects what cannot be a useful rewrite before spending a scoring call on it. */
export function screenCandidate(proposal: ProposedEdit, current: string, y: string,
    config: Pick<SearchConfig, "maxVerbatimChars" | "acceptUnclosedRewrite" | "maxDraftRepetition">): CandidateTrace {
    const base = {
        raw: proposal.raw,
        ...(proposal.tokensGenerated == null ? {} : { tokensGenerated: proposal.tokensGenerated }),
        ...(proposal.resampled === true ? { proposer: "resample" as const } : {})
    };
    const block: RefineBlock = proposal.resampled === true ? { kind: "closed", text: proposal.raw.trim() } : extractRefineBlock(proposal.raw);
    if (block.kind === "none")
        return { ...base, status: "rejected", reason: "no-refine-block" };
    const text = block.text;
    if (block.kind === "unclosed" && !config.acceptUnclosedRewrite)
        return { ...base, text, status: "rejected", reason: "unclosed" };
    if (text === "")
        return { ...base, text, status: "rejected", reason: "empty" };
    if (text === current.trim())
        return { ...base, text, status: "rejected", reason: "identical" };
    if (longestSharedRun(text, y) >= config.maxVerbatimChars)
        return { ...base, text, status: "rejected", reason: "copies-response" };
    // A rewrite that loops is refused as a looping draft is (--max-draft-repetition): it may lower the score, but it is no thinking.
    if (config.maxDraftRepetition != null && repetitionRatio(text, LOOP_WORD_N, LOOP_CJK_N).ratio > config.maxDraftRepetition)
        return { ...base, text, status: "rejected", reason: "repetitive" };
    return { ...base, text, status: "scored" };
}
