import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";

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
    const frame = layout.frame(item.x, item.y);
    const openers = prompter.openers(prompter.language(item.x));
    const longestInitial = Math.max(...openers.map((opener) => prompter.initial(item.x, item.y, opener).tokens.length));
    return {
        initial: longestInitial + limits.maxNew,
        edit: prompter.edit(item.x, item.y, [], "", []).tokens.length + limits.maxThinking + TRAJECTORY_SLACK + limits.maxNew,
        scoring: frame.tokensFor("").contextTokens.length + frame.scoredTokens.length + limits.maxThinking + TRAJECTORY_SLACK
    };
}

/** Context sizes and the most each may grow to (the model's training context, or --context-size). */
export type ContextLimits = { generator: number; scorer: number; generatorCap: number; scorerCap: number };

/** Why the item cannot run on contexts of these sizes, naming the setting that helps, or undefined when it fits. */
export function budgetProblem(budget: ItemBudget, contexts: ContextLimits): string | undefined {
    const advice = (cap: number, size: number) => (size < cap ? "raise --context-size, " : "") + "lower --max-tokens or --max-thinking-tokens";
    if (budget.edit > contexts.generator)
        return `context too small: an edit prompt with the longest allowed trajectory needs ${budget.edit} tokens, the generator context holds ${contexts.generator} (${advice(contexts.generatorCap, contexts.generator)})`;
    if (budget.initial > contexts.generator)
        return `context too small: the initial prompt and its generation need ${budget.initial} tokens, the generator context holds ${contexts.generator} (${advice(contexts.generatorCap, contexts.generator)})`;
    if (budget.scoring > contexts.scorer)
        return `context too small: scoring with the longest allowed trajectory needs ${budget.scoring} tokens, the scorer context holds ${contexts.scorer} (${advice(contexts.scorerCap, contexts.scorer)})`;
    return undefined;
}

/** Rounded up, so small differences between runs do not change the allocation. */
const roundUp = (tokens: number): number => Math.ceil(tokens / 64) * 64;

/**
 * Sizes both contexts for the largest item that can fit under the caps; larger items will
 * be skipped with their budget problem. Every item that fits gets its whole search.
 */
export function sizeContexts(budgets: readonly (ItemBudget | undefined)[], caps: { generator: number; scorer: number }): ContextLimits {
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
        scorerCap: caps.scorer
    };
}
