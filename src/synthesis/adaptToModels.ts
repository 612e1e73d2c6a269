import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { applyPreset, smallModelPreset } from "../config/smallModelPreset.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { largestFittingMaxTokens, type ContextCaps, type ItemBudget } from "./itemBudget.js";

/**
 * Generators below this size rarely close a <refine> block when sampled freely: SmolLM2-135M
 * gave a usable block in 5 of 200 edit turns in bench:quality (2 of 24 in a first trial), and in every
 * one under the rewrite grammar. Below it, `--preset auto` applies the small-model preset.
 */
export const SMALL_MODEL_PARAMETERS = 1.5e9;

/** The settings the user gave (flags or --config), as dotted paths such as "sampling.maxTokens". */
export type ExplicitSettings = ReadonlySet<string>;

/** "auto": the paper preset adapted to the models; "small": the small-model preset whatever the model's size. */
export type AdaptivePreset = "auto" | "small";

/** The config as it runs on these models, and one line per change from the paper preset, for the start line. */
export type AdaptedConfig = { config: SynthesisConfig; notes: string[] };

/**
 * `--preset auto` (the default) and `--preset small`: the paper preset, with what the models
 * cannot do changed and said. A setting the user gave is never changed.
 * - The paper's 8000 new tokens per call do not fit an 8k-context model: the cap becomes
 *   the largest under which every item that can fit does (never below --min-thinking-tokens).
 * - Small generators (auto) or any generator (small) get the small-model preset.
 */
export function adaptToModels(config: SynthesisConfig, explicit: ExplicitSettings, generator: LoadedModel, bases: readonly (ItemBudget | undefined)[], caps: ContextCaps, preset: AdaptivePreset = "auto"): AdaptedConfig {
    const withPreset = applyModelPreset(config, explicit, generator, preset);
    const fitted = fitCapToContexts(withPreset.config, explicit, bases, caps);
    return { config: fitted.config, notes: [...withPreset.notes, ...fitted.notes] };
}

/**
 * The first half of the adaptation: the small-model preset where it applies. It comes before
 * the items are measured, since it may choose the drafting prompt they are measured with.
 */
export function applyModelPreset(config: SynthesisConfig, explicit: ExplicitSettings, generator: LoadedModel, preset: AdaptivePreset = "auto"): AdaptedConfig {
    if (preset !== "small" && generator.parameterCount >= SMALL_MODEL_PARAMETERS)
        return { config, notes: [] };
    const { config: adapted, applied } = applyPreset(config, smallModelPreset, explicit);
    const notes = applied.length === 0 ? [] : [`${applied.join(" ")} (the small-model preset${preset === "small" ? ", asked for" : `: the generator has ${formatParameters(generator.parameterCount)} parameters, under ${formatParameters(SMALL_MODEL_PARAMETERS)}`}; --preset paper turns it off)`];
    return { config: adapted, notes };
}

/** The second half: the new-token cap, whoever set it, lowered to fit the items measured (a cap the user gave is refused later instead). */
export function fitCapToContexts(config: SynthesisConfig, explicit: ExplicitSettings, bases: readonly (ItemBudget | undefined)[], caps: ContextCaps): AdaptedConfig {
    if (explicit.has("sampling.maxTokens") || explicit.has("search.maxThinkingTokens"))
        return { config, notes: [] };
    const measured = bases.filter((base) => base != null);
    const fitting = largestFittingMaxTokens(measured, caps, undefined, config.search.minThinkingTokens);
    if (!(fitting > 0 && fitting < config.sampling.maxTokens))
        return { config, notes: [] };
    return {
        config: { ...config, sampling: { ...config.sampling, maxTokens: fitting } },
        notes: [`--max-tokens ${fitting} (${config.sampling.maxTokens} does not fit the contexts, generator ${caps.generator} and scorer ${caps.scorer} tokens; the largest that fits every item)`]
    };
}

function formatParameters(count: number): string {
    if (count >= 1e9)
        return `${(count / 1e9).toFixed(1)}B`;
    // A test model of a few hundred thousand parameters is not "0M".
    return count >= 1e6 ? `${Math.round(count / 1e6)}M` : `${Math.round(count / 1e3)}K`;
}
