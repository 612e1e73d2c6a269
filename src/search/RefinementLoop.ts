import type { SearchConfig } from "../config/searchConfig.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import { joinSegments } from "../text/segmentText.js";
import { objectiveValue } from "./objective.js";
import { longestSharedRun } from "../text/longestSharedRun.js";
import { extractLastRefineBlock } from "./refineBlock.js";
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
    /** The generation stopped at its token cap. */
    cutByTokenLimit?: boolean;
};

/** The two model roles as the loop sees them; scripted versions drive the fidelity tests. */
export interface SearchModels {
    propose(request: EditRequest, count: number): Promise<ProposedEdit[]>;
    score(z: string): Promise<ScoreAggregates>;
}

export type SearchHooks = {
    onStep?: (step: StepTrace, stepsDone: number) => void;
    /** Checked between steps: return true to stop (the result so far is returned). */
    shouldStop?: () => boolean;
};

/**
 * The REER refinement loop (method.md section 5): visit segments left to right, ask for
 * rewrites of one segment at a time, score each full trajectory, and keep the best
 * candidate only if it beats the best score so far. The best score never gets worse.
 */
export async function runRefinementLoop(
    segments0: string[],
    y: string,
    config: SearchConfig,
    models: SearchModels,
    options: { emptyZScore?: ScoreAggregates; hooks?: SearchHooks } = {}
): Promise<SearchResult> {
    const objectiveOf = (score: ScoreAggregates) => objectiveValue(config.objective, score, options.emptyZScore);
    const segments = segments0.map((segment) => segment.trim());
    const z0 = joinSegments(segments);
    const score0 = await models.score(z0);
    const objective0 = objectiveOf(score0);
    let bestScore = score0;
    let best = objective0;
    const steps: StepTrace[] = [];
    const finish = (stopReason: SearchStopReason): SearchResult => ({
        segments0: segments0.map((segment) => segment.trim()),
        segments: [...segments],
        z0,
        z: joinSegments(segments),
        score0,
        score: bestScore,
        objective0,
        objective: best,
        steps,
        stopReason
    });

    if (score0.clippedMeanNll < config.stopThreshold)
        return finish("initial-below-threshold");
    if (config.maxSteps === 0 || segments.length === 0)
        return finish("no-steps");

    let passesWithoutGain = 0;
    let stopReason: SearchStopReason = "all-segments";
    for (let pass = 1; pass <= config.passes; pass++) {
        let gainedThisPass = false;
        const visits = Math.min(config.maxSteps, segments.length);
        for (let index = 0; index < visits; index++) {
            if (options.hooks?.shouldStop?.() === true)
                return finish(stopReason);
            const current = segments[index]!;
            const request: EditRequest = {
                pass,
                segment: index,
                before: segments.slice(0, index),
                current,
                after: segments.slice(index + 1)
            };
            const proposals = await models.propose(request, config.candidates);
            const candidates: CandidateTrace[] = [];
            let chosen: number | null = null;
            let chosenScore: ScoreAggregates | undefined;
            let chosenObjective = Number.POSITIVE_INFINITY;
            for (const proposal of proposals) {
                const trace = screenCandidate(proposal, current, y, config);
                candidates.push(trace);
                if (trace.status !== "scored")
                    continue;
                const z = joinSegments([...request.before, trace.text!, ...request.after]);
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
            if (chosen != null && chosenObjective < best - config.minImprovement) {
                segments[index] = candidates[chosen]!.text!;
                best = chosenObjective;
                bestScore = chosenScore!;
                gainedThisPass = true;
            } else {
                chosen = null;
            }
            const step: StepTrace = { pass, segment: index, original: current, candidates, chosen, best, bestScore };
            steps.push(step);
            options.hooks?.onStep?.(step, steps.length);
            if (bestScore.clippedMeanNll < config.stopThreshold)
                return finish("below-threshold");
        }
        stopReason = config.maxSteps < segments.length ? "max-steps" : "all-segments";
        passesWithoutGain = gainedThisPass ? 0 : passesWithoutGain + 1;
        if (pass < config.passes && passesWithoutGain >= config.patience)
            return finish("patience");
    }
    return finish(stopReason);
}

/** Rejects what cannot be a useful rewrite before spending a scoring call on it. */
export function screenCandidate(proposal: ProposedEdit, current: string, y: string, config: Pick<SearchConfig, "maxVerbatimChars" | "acceptUnclosedRewrite">): CandidateTrace {
    const base = { raw: proposal.raw, ...(proposal.tokensGenerated == null ? {} : { tokensGenerated: proposal.tokensGenerated }) };
    const text = extractLastRefineBlock(proposal.raw, config.acceptUnclosedRewrite && proposal.cutByTokenLimit === true);
    if (text == null)
        return { ...base, status: "rejected", reason: "no-refine-block" };
    if (text === "")
        return { ...base, text, status: "rejected", reason: "empty" };
    if (text === current.trim())
        return { ...base, text, status: "rejected", reason: "identical" };
    if (longestSharedRun(text, y) >= config.maxVerbatimChars)
        return { ...base, text, status: "rejected", reason: "copies-response" };
    return { ...base, text, status: "scored" };
}
