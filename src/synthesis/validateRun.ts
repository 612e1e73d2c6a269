import { maxThinkingTokensOf, type SynthesisConfig } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";
import { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptLanguage, PromptSet } from "../prompts/PromptSet.js";
import { createLayout } from "../scoring/scoreRecords.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";
import { detectLanguage } from "../text/cjk.js";
import { measureItemBudget, type ItemBudget } from "./itemBudget.js";

export type RunSetup = {
    config: SynthesisConfig;
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    prompts: PromptSet;
    /** The prompts (x) of the input: which languages' templates the run needs. */
    requests: readonly string[];
    /** Cap for both contexts (default: each model's training context). */
    maxContextSize?: number;
};

/** What a valid run is built from. */
export type ValidatedRun = { prompter: GenerationPrompter; layout: ScoringLayout; caps: { generator: number; scorer: number } };

/** A short stand-in request per language: the templates are checked around it. */
const sampleRequest: Record<PromptLanguage, string> = { en: "Write.", zh: "写。" };

/**
 * Checks the whole run before any output is created, so a setting that cannot work is one
 * error naming the setting and the fix, not every item `skipped` after the work: the
 * generator's template, every prompt template of the languages the input needs (present
 * and encodable by both vocabularies), the budgets against the models' contexts, and the
 * limits against each other. What depends on one item (its length, its characters) stays
 * a per-item outcome.
 */
export function validateRun(setup: RunSetup): ValidatedRun {
    const { config, generatorModel, scorerModel, prompts } = setup;
    checkLimits(config);
    const prompter = new GenerationPrompter(generatorModel, prompts, config.generatorTemplate);
    const layout = createLayout(scorerModel, config.scorerTemplate, { prompts });
    const caps = {
        generator: setup.maxContextSize ?? generatorModel.trainContextSize,
        scorer: setup.maxContextSize ?? scorerModel.trainContextSize
    };
    const languages = new Set(setup.requests.map((request) => detectLanguage(request)));
    for (const language of languages) {
        const sample = { x: sampleRequest[language], y: "." };
        const budgetFor = (maxNew: number) => measureItemBudget(sample, prompter, layout, { maxNew, maxThinking: config.search.maxThinkingTokens ?? 2 * maxNew });
        let budget;
        try {
            budget = budgetFor(config.sampling.maxTokens);
        } catch (error) {
            if (error instanceof ReerError)
                throw new ReerError("PROMPTS_UNUSABLE", `The ${language} prompt templates in ${prompts.dir} cannot be used with these models: ${error.message}`,
                    error.hint ?? "Fix the templates, or use --prompts with templates the models can encode.");
            throw error;
        }
        const fits = (b: ItemBudget) => Math.max(b.initial, b.edit) <= caps.generator && b.scoring <= caps.scorer;
        if (!fits(budget))
            throw contextTooSmall(config, budget, caps, largestFitting(config.sampling.maxTokens, (maxNew) => fits(budgetFor(maxNew))), setup.maxContextSize != null);
    }
    return { prompter, layout, caps };
}

/** The largest --max-tokens below `tooMany` for which `fits` holds (0 when none does). */
function largestFitting(tooMany: number, fits: (maxNew: number) => boolean): number {
    let low = 0;
    let high = tooMany;
    while (high - low > 1) {
        const middle = Math.floor((low + high) / 2);
        if (fits(middle))
            low = middle;
        else
            high = middle;
    }
    return low;
}

/** The smallest possible item does not fit: no item can. The fix names the settings that help. */
function contextTooSmall(config: SynthesisConfig, budget: ItemBudget, caps: { generator: number; scorer: number }, largest: number, capGiven: boolean): ReerError {
    const generatorNeed = Math.max(budget.initial, budget.edit);
    const where = generatorNeed > caps.generator
        ? `${generatorNeed} tokens in the generator's context, which holds at most ${caps.generator}`
        : `${budget.scoring} tokens in the scorer's context, which holds at most ${caps.scorer}`;
    const suggestions = [
        largest > 0 ? `--max-tokens ${largest} or less` : undefined,
        config.search.maxThinkingTokens != null ? "a lower --max-thinking-tokens" : undefined,
        capGiven ? "a larger --context-size (up to the model's training context)" : undefined
    ].filter((suggestion) => suggestion != null);
    return new ReerError("CONTEXT_TOO_SMALL",
        `With --max-tokens ${config.sampling.maxTokens} and --max-thinking-tokens ${maxThinkingTokensOf(config)}, even the shortest item needs ${where}.`,
        suggestions.length > 0 ? `Use ${suggestions.join(", or ")}.` : "Use a model with a longer context.");
}

/** Limits that contradict each other leave every item skipped, whatever the models. */
function checkLimits(config: SynthesisConfig): void {
    const { minThinkingTokens } = config.search;
    if (config.sampling.maxTokens < minThinkingTokens)
        throw new ReerError("CONFIG_CONFLICT", `--max-tokens ${config.sampling.maxTokens} is below --min-thinking-tokens ${minThinkingTokens}: an initial trajectory is at most --max-tokens tokens, so every item would be skipped as too short.`,
            `Raise --max-tokens to at least ${minThinkingTokens}, or lower --min-thinking-tokens.`);
    if (maxThinkingTokensOf(config) < minThinkingTokens)
        throw new ReerError("CONFIG_CONFLICT", `--max-thinking-tokens ${maxThinkingTokensOf(config)} is below --min-thinking-tokens ${minThinkingTokens}: no trajectory could be both long enough and short enough.`,
            `Raise --max-thinking-tokens to at least ${minThinkingTokens}, or lower --min-thinking-tokens.`);
}
