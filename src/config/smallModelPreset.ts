import type { SynthesisConfig } from "./synthesisConfig.js";

/** One setting of a preset: where it goes in the config, its value, and the flag that sets it by hand. */
export type PresetSetting = { section: "search" | "sampling"; key: string; value: unknown; flag: string };

/**
 * `--preset small`, and what `--preset auto` applies to generators under 1.5B parameters:
 * the paper preset with what a small model cannot do replaced. Chosen with bench:quality
 * on SmolLM2-135M-Instruct (README, "What the thinking is worth"): free edit turns gave no
 * usable rewrite at all, constrained ones always do; resampled paragraphs need no
 * instruction following and were accepted most often; first drafts that loop are drafted
 * again instead of losing the item.
 */
export const smallModelPreset: readonly PresetSetting[] = [
    { section: "search", key: "constrainRewrite", value: true, flag: "--constrain-rewrite" },
    { section: "search", key: "proposer", value: "both", flag: "--proposer both" },
    { section: "search", key: "redrafts", value: 3, flag: "--redrafts 3" },
    { section: "search", key: "maxDraftRepetition", value: 0.5, flag: "--max-draft-repetition 0.5" },
    { section: "sampling", key: "dryStrength", value: 0.8, flag: "--dry 0.8" }
];

/** The preset's settings that the user did not give, applied; and the flags applied, for the start line. */
export function applyPreset(config: SynthesisConfig, settings: readonly PresetSetting[], explicit: ReadonlySet<string>): { config: SynthesisConfig; applied: string[] } {
    let adapted = config;
    const applied: string[] = [];
    for (const setting of settings) {
        if (explicit.has(`${setting.section}.${setting.key}`))
            continue;
        adapted = { ...adapted, [setting.section]: { ...adapted[setting.section], [setting.key]: setting.value } };
        applied.push(setting.flag);
    }
    return { config: adapted, applied };
}
