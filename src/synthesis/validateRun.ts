import { maxThinkingTokensOf, type SynthesisConfig } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";
import { GenerationPrompter } from "../generation/GenerationPrompter.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptLanguage, PromptSet } from "../prompts/PromptSet.js";
import { createLayout } from "../scoring/scoreRecords.js";
import type { ScoringLayout } from "../scoring/ScoringLayout.js";
import { detectLanguage } from "../text/cjk.js";
import { applyModelPreset, fitCapToContexts, type AdaptivePreset, type ExplicitSettings } from "./adaptToModels.js";
import { budgetWithLimits, largestFittingMaxTokens, measureItemBase, type ContextCaps, type ItemBudget } from "./itemBudget.js";

export type RunSetup = {
    config: SynthesisConfig;
    generatorModel: LoadedModel;
    scorerModel: LoadedModel;
    prompts: PromptSet;
    /** The input's items (x, and y as it will be scored): budgets and advice are computed on them. */
    items: readonly { x: string; y: string }[];
    /** Cap for both contexts (default: each model's training context). */
    maxContextSize?: number;
    /** Adapt the settings the user did not give to these models (--preset auto or small); absent: run the config exactly. */
    adaptToModels?: { explicit: ExplicitSettings; preset?: AdaptivePreset };
};

/** What a valid run is built from. */
export type ValidatedRun = {
    /** The config that runs: the given one, adapted to the models when asked. */
    config: SynthesisConfig;
    /** What the adaptation changed, one line each. */
    adaptations: string[];
    prompter: GenerationPrompter;
    layout: ScoringLayout;
    caps: ContextCaps;
    /** Each item's budget without limits (undefined: text the models cannot encode), by input order. */
    bases: (ItemBudget | undefined)[];
};

/** A short stand-in request per language: the templates are checked around it. */
const sampleRequest: Record<PromptLanguage, string> = { en: "Write.", zh: "写。" };

/**
 * Checks the whole run before any output is created, so a setting that cannot work is one
 * error naming the setting and the fix, not every item `skipped` after the work: the
 * generator's template, every prompt template of the languages the input needs (present
 * and encodable by both vocabularies), the limits against each other, and the input's own
 * items against the models' contexts (at least one must fit; the advice is computed on
 * them, so following it works). What depends on one item stays a per-item outcome.
 */
export function validateRun(setup: RunSetup): ValidatedRun {
    const { generatorModel, scorerModel, prompts } = setup;
    checkLimits(setup.config);
    // The preset first: it may choose the drafting prompt, which the items are measured with.
    const withPreset = setup.adaptToModels == null
        ? { config: setup.config, notes: [] }
        : applyModelPreset(setup.config, setup.adaptToModels.explicit, generatorModel, setup.adaptToModels.preset);
    const prompter = new GenerationPrompter(generatorModel, prompts, setup.config.generatorTemplate, withPreset.config.search.draftPrompt);
    const layout = createLayout(scorerModel, setup.config.scorerTemplate, { prompts });
    const caps: ContextCaps = {
        generator: setup.maxContextSize ?? generatorModel.trainContextSize,
        scorer: setup.maxContextSize ?? scorerModel.trainContextSize,
        ...(setup.maxContextSize == null ? {} : { fromFlag: true })
    };
    for (const language of new Set(setup.items.map((item) => detectLanguage(item.x))))
        checkTemplates(language, prompter, layout, prompts);
    const bases = setup.items.map((item) => {
        try {
            return measureItemBase(item, prompter, layout);
        } catch (error) {
            // Text the models cannot encode: the item is skipped with the same error.
            if (error instanceof ReerError)
                return undefined;
            throw error;
        }
    });
    const fitted = setup.adaptToModels == null
        ? { config: withPreset.config, notes: [] }
        : fitCapToContexts(withPreset.config, setup.adaptToModels.explicit, bases, caps);
    const config = fitted.config;
    checkLimits(config);
    checkSomeItemFits(config, bases, caps);
    return { config, adaptations: [...withPreset.notes, ...fitted.notes], prompter, layout, caps, bases };
}

/** The templates of one language, around a stand-in request: an unusable template is one error before any work. */
function checkTemplates(language: PromptLanguage, prompter: GenerationPrompter, layout: ScoringLayout, prompts: PromptSet): void {
    try {
        measureItemBase({ x: sampleRequest[language], y: "." }, prompter, layout);
    } catch (error) {
        if (error instanceof ReerError)
            throw new ReerError("PROMPTS_UNUSABLE", `The ${language} prompt templates in ${prompts.dir} cannot be used with these models: ${error.message}`,
                error.hint ?? "Fix the templates, or use --prompts with templates the models can encode.");
        throw error;
    }
}

/** No item fits the contexts: every one would be skipped, so the run stops before any work, with advice computed on the items. */
function checkSomeItemFits(config: SynthesisConfig, bases: readonly (ItemBudget | undefined)[], caps: ContextCaps): void {
    const measured = bases.filter((base) => base != null);
    if (measured.length === 0)
        return;
    const limits = { maxNew: config.sampling.maxTokens, maxThinking: maxThinkingTokensOf(config) };
    const fits = (budget: ItemBudget) => Math.max(budget.initial, budget.edit) <= caps.generator && budget.scoring <= caps.scorer;
    const budgets = measured.map((base) => budgetWithLimits(base, limits));
    if (budgets.some(fits))
        return;
    const smallest = budgets.reduce((a, b) => (Math.max(a.initial, a.edit) + a.scoring <= Math.max(b.initial, b.edit) + b.scoring ? a : b));
    const largest = largestFittingMaxTokens(measured, caps, config.search.maxThinkingTokens, config.search.minThinkingTokens);
    const generatorNeed = Math.max(smallest.initial, smallest.edit);
    const where = generatorNeed > caps.generator
        ? `${generatorNeed} tokens in the generator's context, whose limit is ${caps.generator}`
        : `${smallest.scoring} tokens in the scorer's context, whose limit is ${caps.scorer}`;
    const suggestions = [
        largest > 0 ? `--max-tokens ${largest} or less` : undefined,
        config.search.maxThinkingTokens != null ? "a lower --max-thinking-tokens" : undefined,
        caps.fromFlag === true ? "a larger --context-size (up to the model's training context)" : undefined
    ].filter((suggestion) => suggestion != null);
    throw new ReerError("CONTEXT_TOO_SMALL",
        `With --max-tokens ${config.sampling.maxTokens} and --max-thinking-tokens ${maxThinkingTokensOf(config)}, even the shortest of the ${measured.length} item(s) needs ${where}.`,
        suggestions.length > 0 ? `Use ${suggestions.join(", or ")}.` : "Use models with longer contexts, or shorter items.");
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
