import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";
import type { ContextRefusal } from "../trace/refusal.js";

/**
 * Room for what a trajectory adds beyond its own tokens: the opener's join with the draft,
 * the blank lines between segments and the segment markers of the edit prompt, where
 * tokenising the parts apart and together can differ by a token or two per boundary.
 */
export const TRAJECTORY_SLACK = 16;

/** The token limits an item's contexts must hold. */
export type TrajectoryLimits = {
    /** Cap on new tokens per generator call. */
    maxNew: number;
    /** The longest z the search may produce, in generator and scorer tokens alike. */
    maxThinking: number;
};

/** The most tokens each context must hold for one item over its whole search. */
export type ItemBudget = {
    /** The initial prompt with its longest opener, plus its generation. */
    initial: number;
    /** An edit prompt around the longest allowed trajectory, plus its generation. */
    edit: number;
    /** The scoring sequence around the longest allowed trajectory. */
    scoring: number;
};

/**
 * Measures an item's worst case once, from its own text and the limits only, so whether
 * an item fits never depends on the other items of the file. Throws the ReerError of text
 * that cannot be tokenised.
 */
export function measureItemBudget(item: { x: string; y: string }, prompter: GenerationPrompter, layout: ScoringLayout, limits: TrajectoryLimits): ItemBudget {
    return budgetWithLimits(measureItemBase(item, prompter, layout), limits);
}

/** An item's budget with no new tokens and an empty trajectory: its prompts alone. Every budget is this plus the limits. */
export function measureItemBase(item: { x: string; y: string }, prompter: GenerationPrompter, layout: ScoringLayout): ItemBudget {
    const frame = layout.frame(item.x, item.y);
    const openers = prompter.openers(prompter.language(item.x));
    const longestInitial = Math.max(...openers.map((opener) => prompter.initial(item.x, item.y, opener).tokens.length));
    return {
        initial: longestInitial,
        edit: prompter.edit(item.x, item.y, [], "", []).tokens.length + TRAJECTORY_SLACK,
        scoring: frame.tokensFor("").contextTokens.length + frame.scoredTokens.length + TRAJECTORY_SLACK
    };
}

export function budgetWithLimits(base: ItemBudget, limits: TrajectoryLimits): ItemBudget {
    return {
        initial: base.initial + limits.maxNew,
        edit: base.edit + limits.maxThinking + limits.maxNew,
        scoring: base.scoring + limits.maxThinking
    };
}

/**
 * The most tokens each context may hold: the model's training context, or --context-size
 * when it is given (`fromFlag`), which only helps while it is below the training context.
 */
export type ContextCaps = { generator: number; scorer: number; fromFlag?: boolean };

/** Context sizes as allocated, and the caps they may grow to. */
export type ContextLimits = { generator: number; scorer: number; generatorCap: number; scorerCap: number; capsFromFlag?: boolean };

/**
 * Why the item cannot run under the caps, naming the limit that binds and where it comes
 * from, or undefined when it fits. The contexts are sized for every item that fits the
 * caps, so the caps, not the allocated sizes, decide.
 */
export function budgetProblem(budget: ItemBudget, contexts: ContextLimits): ContextRefusal | undefined {
    const refusal = (role: "generator" | "scorer", prompt: "edit" | "initial" | "scoring", needs: number, cap: number): ContextRefusal =>
        ({ code: "context-too-small", role, prompt, needs, cap, fromFlag: contexts.capsFromFlag === true });
    if (budget.edit > contexts.generatorCap)
        return refusal("generator", "edit", budget.edit, contexts.generatorCap);
    if (budget.initial > contexts.generatorCap)
        return refusal("generator", "initial", budget.initial, contexts.generatorCap);
    if (budget.scoring > contexts.scorerCap)
        return refusal("scorer", "scoring", budget.scoring, contexts.scorerCap);
    return undefined;
}

/**
 * The largest cap on new tokens per call under which every item whose prompts fit at all
 * (with the smallest useful trajectory) fits the caps; `maxThinking` is the fixed bound on
 * z when one is set, otherwise twice the cap, as the config's default. 0 when none fits.
 */
export function largestFittingMaxTokens(bases: readonly ItemBudget[], caps: ContextCaps, maxThinking: number | undefined, floor = 1): number {
    let best = Number.POSITIVE_INFINITY;
    let anyFits = false;
    for (const base of bases) {
        const thinkingOf = (maxNew: number) => maxThinking ?? 2 * maxNew;
        const fitsWith = (maxNew: number) =>
            base.initial + maxNew <= caps.generator && base.edit + thinkingOf(maxNew) + maxNew <= caps.generator && base.scoring + thinkingOf(maxNew) <= caps.scorer;
        // An item that cannot fit even at the floor is skipped by the run; it must not drag the others down.
        if (!fitsWith(floor))
            continue;
        anyFits = true;
        const generatorRoom = maxThinking == null
            ? Math.min(caps.generator - base.initial, Math.floor((caps.generator - base.edit) / 3), Math.floor((caps.scorer - base.scoring) / 2))
            : Math.min(caps.generator - base.initial, caps.generator - base.edit - maxThinking);
        best = Math.min(best, generatorRoom);
    }
    return anyFits ? best : 0;
}

/** Rounded up, so small differences between runs do not change the allocation. */
const roundUp = (tokens: number): number => Math.ceil(tokens / 64) * 64;

/**
 * Sizes both contexts for the largest item that can fit under the caps; larger items will
 * be skipped with their budget problem. Every item that fits gets its whole search.
 */
export function sizeContexts(budgets: readonly (ItemBudget | undefined)[], caps: ContextCaps): ContextLimits {
    let generatorNeed = 64;
    let scorerNeed = 64;
    for (const budget of budgets) {
        if (budget == null)
            continue;
        const need = Math.max(budget.edit, budget.initial);
        if (need <= caps.generator && budget.scoring <= caps.scorer) {
            generatorNeed = Math.max(generatorNeed, need);
            scorerNeed = Math.max(scorerNeed, budget.scoring);
        }
    }
    return {
        generator: Math.min(caps.generator, roundUp(generatorNeed)),
        scorer: Math.min(caps.scorer, roundUp(scorerNeed)),
        generatorCap: caps.generator,
        scorerCap: caps.scorer,
        ...(caps.fromFlag === true ? { capsFromFlag: true } : {})
    };
}
