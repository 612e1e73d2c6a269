import type { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";
import type { SynthesisItem } from "./SynthesisEngine.js";

/** Room for the opener and the separators that a trajectory adds beyond its generated tokens. */
const TRAJECTORY_SLACK = 16;

/** The most tokens each context must hold for one item, given the cap on new tokens per call. */
export type ItemBudget = {
    /** The initial prompt plus its generation. */
    initial: number;
    /** An edit prompt around the longest possible trajectory, plus its generation. */
    edit: number;
    /** The scoring sequence around the longest possible trajectory. */
    scoring: number;
};

/** Measures an item's worst case once; throws the ReerError of text that cannot be tokenised. */
export function measureItemBudget(item: SynthesisItem, prompter: GenerationPrompter, layout: ScoringLayout, maxNew: number): ItemBudget {
    const frame = layout.frame(item.x, item.y);
    return {
        initial: prompter.initial(item.x, item.y, "").tokens.length + maxNew,
        // A trajectory is at most maxNew generated tokens (plus the opener).
        edit: prompter.edit(item.x, item.y, [], "", []).tokens.length + maxNew + TRAJECTORY_SLACK + maxNew,
        scoring: frame.tokensFor("").contextTokens.length + frame.scoredTokens.length + maxNew + TRAJECTORY_SLACK
    };
}

/** Why the item cannot run on contexts of these sizes, or undefined when it fits. */
export function budgetProblem(budget: ItemBudget, generatorContext: number, scorerContext: number): string | undefined {
    if (budget.edit > generatorContext)
        return `context too small: an edit prompt with the longest trajectory needs ${budget.edit} tokens, the generator context holds ${generatorContext} (lower --max-tokens or raise --context-size)`;
    if (budget.initial > generatorContext)
        return `context too small: the initial prompt and its generation need ${budget.initial} tokens, the generator context holds ${generatorContext}`;
    if (budget.scoring > scorerContext)
        return `context too small: scoring with the longest trajectory needs ${budget.scoring} tokens, the scorer context holds ${scorerContext}`;
    return undefined;
}
