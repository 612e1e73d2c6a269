import type { GenerationLane } from "../generation/GenerationLane.js";
import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import { longestSharedRun } from "../text/longestSharedRun.js";
import { repetitionRatio } from "../text/repetitionRatio.js";
import { joinSegments, segmentText } from "../text/segmentText.js";
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

/** n-gram sizes of the loop check: a looping draft repeats whole phrases, as the curation repetition filter measures. */
const DEGENERATE_WORD_N = 4;
const DEGENERATE_CJK_N = 6;

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
export function draftProblem(draft: Draft, length: DraftLength, limits: DraftLimits): { problem: string; soft: boolean } | undefined {
    const repetition = limits.maxRepetition == null ? undefined : repetitionRatio(draft.z, DEGENERATE_WORD_N, DEGENERATE_CJK_N);
    const loop = repetition != null && repetition.ratio > limits.maxRepetition!
        ? `initial trajectory is degenerate: ${(repetition.ratio * 100).toFixed(0)}% of its ${repetition.kind} ${repetition.n}-grams repeat earlier ones (> ${(limits.maxRepetition! * 100).toFixed(0)}%)`
        : undefined;
    const hard = hardDraftProblem(draft, length, limits);
    if (hard != null)
        return { problem: loop == null ? hard : `${hard}; ${loop.replace("initial trajectory ", "it ")}`, soft: false };
    return loop == null ? undefined : { problem: loop, soft: true };
}

function hardDraftProblem(draft: Draft, length: DraftLength, limits: DraftLimits): string | undefined {
    if (length.scorerTokens < limits.minThinkingTokens)
        return `initial trajectory too short: ${length.scorerTokens} tokens < ${limits.minThinkingTokens}`;
    if (draft.segments.length < 2)
        return "initial trajectory has a single segment";
    const longest = Math.max(length.scorerTokens, length.generatorTokens);
    if (longest > limits.maxThinkingTokens)
        return `initial trajectory too long: ${longest} tokens > --max-thinking-tokens ${limits.maxThinkingTokens}`;
    if (limits.copyScreen != null) {
        const copied = longestSharedRun(draft.z, limits.copyScreen.y);
        if (copied >= limits.copyScreen.maxVerbatimChars)
            return `initial trajectory copies ${copied} characters of the response verbatim (>= ${limits.copyScreen.maxVerbatimChars})`;
    }
    return undefined;
}
