import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { largestFittingMaxTokens, type ContextCaps, type ItemBudget } from "./itemBudget.js";

/**
 * Generators below this size rarely close a <refine> block when sampled freely: SmolLM2-135M
 * closed 2 of 24 edit turns of the paper preset, and 6 of 6 under the rewrite grammar.
 */
export const CONSTRAINED_REWRITE_BELOW_PARAMETERS = 1.5e9;

/** The settings the user gave (flags or --config), as dotted paths such as "sampling.maxTokens". */
export type ExplicitSettings = ReadonlySet<string>;

/** The config as it runs on these models, and one line per setting changed from the paper preset, for the start line. */
export type AdaptedConfig = { config: SynthesisConfig; notes: string[] };

/**
 * The default preset ("auto"): the paper preset, with what the models cannot do changed and
 * said. A setting the user gave is never changed.
 * - The paper's 8000 new tokens per call do not fit an 8k-context model: the cap becomes
 *   the largest under which every item that can fit does (never below --min-thinking-tokens).
 * - Small generators get constrained rewrites (see CONSTRAINED_REWRITE_BELOW_PARAMETERS).
 */
export function adaptToModels(config: SynthesisConfig, explicit: ExplicitSettings, generator: LoadedModel, bases: readonly (ItemBudget | undefined)[], caps: ContextCaps): AdaptedConfig {
    const notes: string[] = [];
    let adapted = config;
    if (!explicit.has("sampling.maxTokens") && !explicit.has("search.maxThinkingTokens")) {
        const measured = bases.filter((base) => base != null);
        const fitting = largestFittingMaxTokens(measured, caps, undefined, config.search.minThinkingTokens);
        if (fitting > 0 && fitting < config.sampling.maxTokens) {
            adapted = { ...adapted, sampling: { ...adapted.sampling, maxTokens: fitting } };
            notes.push(`--max-tokens ${fitting} (the paper's ${config.sampling.maxTokens} does not fit the contexts, generator ${caps.generator} and scorer ${caps.scorer} tokens; the largest that fits every item)`);
        }
    }
    if (!explicit.has("search.constrainRewrite") && generator.parameterCount < CONSTRAINED_REWRITE_BELOW_PARAMETERS) {
        adapted = { ...adapted, search: { ...adapted.search, constrainRewrite: true } };
        notes.push(`--constrain-rewrite (the generator has ${formatParameters(generator.parameterCount)} parameters; under ${formatParameters(CONSTRAINED_REWRITE_BELOW_PARAMETERS)} models rarely close a <refine> block unaided)`);
    }
    return { config: adapted, notes };
}

function formatParameters(count: number): string {
    return count >= 1e9 ? `${(count / 1e9).toFixed(1)}B` : `${Math.round(count / 1e6)}M`;
}
