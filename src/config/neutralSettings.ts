import type { SynthesisConfig } from "./synthesisConfig.js";

/**
 * Settings added after the paper preset, each with the value that does what leaving it out
 * does. A config written out (--dry-run) names them all, so a saved file runs the same under
 * any preset; a run's settings hash leaves them out at these values, so an absent and a
 * neutral value are the same run, and outputs of earlier versions resume.
 */
const NEUTRAL = {
    search: { constrainRewrite: false, proposer: "rewrite", redrafts: 0, maxDraftRepetition: 1, screenDraftCopies: false, prune: false, draftPrompt: "initial" },
    sampling: { repeatPenalty: 1, dryStrength: 0 }
} as const;

/** The config with every optional setting written out, at its neutral value where absent. */
export function withNeutralSettings(config: SynthesisConfig): SynthesisConfig {
    return {
        ...config,
        search: { ...NEUTRAL.search, ...config.search },
        sampling: { ...NEUTRAL.sampling, ...config.sampling }
    };
}

/** The config without the optional settings that are at their neutral value. */
export function withoutNeutralSettings(config: SynthesisConfig): SynthesisConfig {
    const strip = <T extends Record<string, unknown>>(section: T, neutral: Record<string, unknown>): T =>
        Object.fromEntries(Object.entries(section).filter(([key, value]) => !(key in neutral && neutral[key] === value))) as T;
    return { ...config, search: strip(config.search, NEUTRAL.search), sampling: strip(config.sampling, NEUTRAL.sampling) };
}
