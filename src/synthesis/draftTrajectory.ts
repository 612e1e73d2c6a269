import type { GenerationLane } from "../generation/GenerationLane.js";
import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import { longestSharedRun } from "../text/longestSharedRun.js";
import { LOOP_CJK_N, LOOP_WORD_N, repetitionRatio } from "../text/repetitionRatio.js";
import { joinSegments, segmentText } from "../text/segmentText.js";
import type { DraftProblem, DraftRefusal } from "../trace/refusal.js";
import type { InitialDraft } from "../trace/traceRecordSchema.js";
import type { CallSampling } from "./CandidateProposer.js";
import type { ItemMeter } from "./ItemMeter.js";
import type { SynthesisItem } from "./SynthesisItem.js";

/** An initial trajectory as drafted: the generator's turn, and z cut into trimmed segments. */
export type Draft = InitialDraft & { z: string; segments: string[]; templateIds: readonly string[] };

/**
 * Drafts one initial trajectory (method.md section 3): the assistant turn pre-filled with
 * "<think>\n" and the opener, sampled up to the first "</think>"; z is the opener and the
 * text before that tag, in normalised form (segments trimmed, joined by blank lines).
 */
export async function draftTrajectory(lane: GenerationLane, prompter: GenerationPrompter, item: SynthesisItem, opener: string,
    seed: number, sampling: CallSampling, meter: ItemMeter): Promise<Draft> {
    const prompt = prompter.initial(item.x, item.y, opener);
    const generation = await meter.timeGeneration("drafting", () => lane.generate(prompt.tokens, { ...sampling, seed, stopStrings: ["</think>"] }));
    meter.countGeneration("drafting", prompt.tokens, generation);
    const closeAt = generation.text.indexOf("</think>");
    const thinking = opener + (closeAt >= 0 ? generation.text.slice(0, closeAt) : generation.text);
    const segments = segmentText(thinking).map((segment) => segment.trim()).filter((segment) => segment !== "");
    return {
        opener,
        raw: generation.text,
        tokensGenerated: generation.tokens,
        stop: generation.stop,
        closed: closeAt >= 0,
        z: joinSegments(segments),
        segments,
        templateIds: prompt.templateIds
    };
}

/** Token counts of a draft's z in both models' vocabularies. */
export type DraftLength = { scorerTokens: number; generatorTokens: number };

export type DraftLimits = {
    minThinkingTokens: number;
    maxThinkingTokens: number;
    /** Share of repeated word 4-grams above which a draft is a loop (--max-draft-repetition). */
    maxRepetition?: number;
    /** Refuse a draft that shares a run of this many characters with y (--screen-draft-copies). */
    copyScreen?: { y: string; maxVerbatimChars: number };
};

/**
 * Why a draft cannot start a search, or undefined when it can. `soft`: the only problem is
 * that it loops; such a draft is still used when no redraft does better, since a repetitive
 * trajectory can be searched from and a skipped item is lost to the data set.
 */
export function draftProblem(draft: Draft, length: DraftLength, limits: DraftLimits): { refusal: DraftRefusal; soft: boolean } | undefined {
    const repetition = limits.maxRepetition == null ? undefined : repetitionRatio(draft.z, LOOP_WORD_N, LOOP_CJK_N);
    const loop: DraftProblem | undefined = repetition != null && repetition.ratio > limits.maxRepetition!
        ? { code: "degenerate", ratio: repetition.ratio, kind: repetition.kind, n: repetition.n, max: limits.maxRepetition! }
        : undefined;
    const hard = hardDraftProblem(draft, length, limits);
    const problems = [hard, loop].filter((problem): problem is DraftProblem => problem != null);
    return problems.length === 0 ? undefined : { refusal: { code: "draft", problems }, soft: hard == null };
}

function hardDraftProblem(draft: Draft, length: DraftLength, limits: DraftLimits): DraftProblem | undefined {
    if (length.scorerTokens < limits.minThinkingTokens)
        return { code: "too-short", tokens: length.scorerTokens, min: limits.minThinkingTokens };
    if (draft.segments.length < 2)
        return { code: "single-segment" };
    const longest = Math.max(length.scorerTokens, length.generatorTokens);
    if (longest > limits.maxThinkingTokens)
        return { code: "too-long", tokens: longest, max: limits.maxThinkingTokens };
    if (limits.copyScreen != null) {
        const copied = longestSharedRun(draft.z, limits.copyScreen.y);
        if (copied >= limits.copyScreen.maxVerbatimChars)
            return { code: "copies-response", chars: copied, max: limits.copyScreen.maxVerbatimChars };
    }
    return undefined;
}
