import type { SynthesisConfig } from "./synthesisConfig.js";

/** One setting of a preset: where it goes in the config, its value, and the flag that sets it by hand. */
export type PresetSetting = { section: "search" | "sampling"; key: string; value: unknown; flag: string };

/**
 * `--preset small`, and what `--preset auto` applies to generators under 1.5B parameters:
 * the paper preset with what a small model cannot do replaced. Chosen with bench:quality on
 * SmolLM2-135M-Instruct (README, "What the thinking is worth"):
 * - free edit turns gave a usable rewrite in 5 of 200, constrained ones in 200 of 200, so
 *   edit turns are constrained (they run when a user picks --proposer rewrite or both over
 *   the preset's resampling, below);
 * - 3 of 32 first drafts looped into one segment and lost their item: they are drafted
 *   again, and a draft that only repeats itself is still used when no redraft does better;
 * - drafts see y and copied up to 124 characters of it: they are screened like rewrites,
 *   and the copy limit is 60 characters, about ten words, below a 13-gram;
 * - 56 of 67 drafts ran to the 512-token cap (a loop or a ramble) and those that ended on
 *   their own did within 425 tokens: 512 new tokens per call, as measured, not the paper's
 *   8000, which would only make loops longer.
 * Then, on the first 8 pairs (README, "What the thinking is worth"), what made SmolLM2's
 * thinking beat no thinking, under itself and under Gemma-3-270M as a held-out judge:
 * - temperature 0.6 instead of 0.8: fewer invented events (0.4 lost an item to loops);
 * - the short "plan" drafting prompt, three drafts to choose from, and the mean NLL as the
 *   objective: the clipped objective cannot see the tokens z helps most, the rare content
 *   words whose log-probability is below its floor, and those are what a judge shares;
 * - removals (--prune), which drop a rambling paragraph for one scoring call;
 * - rewrites that loop are refused, as looping drafts are.
 * And on all 32 pairs, the resample proposer against the constrained edit turn: z* beat no
 * thinking on 84% of items under the judge (median PPL drop 12.4%) against 72% (7.9%), at
 * more items per hour, so the preset resamples.
 * DRY 0.8 was in the preset from the first 8 pairs on but had no effect until DRY's window
 * was fixed; measured working on all 32 pairs (bench:drafts, bench:quality), it keeps the
 * cooler sampler out of loops (1 of 32 drafts loops instead of 20), and z* then beat no
 * thinking under the judge on 81% of items by a median 16.4%, at 2408 generated tokens per
 * item instead of 3782.
 */
export const smallModelPreset: readonly PresetSetting[] = [
    { section: "sampling", key: "maxTokens", value: 512, flag: "--max-tokens 512" },
    { section: "search", key: "constrainRewrite", value: true, flag: "--constrain-rewrite" },
    { section: "search", key: "redrafts", value: 3, flag: "--redrafts 3" },
    { section: "search", key: "maxDraftRepetition", value: 0.5, flag: "--max-draft-repetition 0.5" },
    { section: "search", key: "screenDraftCopies", value: true, flag: "--screen-draft-copies" },
    { section: "search", key: "maxVerbatimChars", value: 60, flag: "--max-verbatim-chars 60" },
    { section: "sampling", key: "temperature", value: 0.6, flag: "--temperature 0.6" },
    { section: "sampling", key: "dryStrength", value: 0.8, flag: "--dry 0.8" },
    { section: "search", key: "draftPrompt", value: "plan", flag: "--draft-prompt plan" },
    { section: "search", key: "initialDrafts", value: 3, flag: "--initial-drafts 3" },
    { section: "search", key: "objective", value: "meanNll", flag: "--objective meanNll" },
    { section: "search", key: "prune", value: true, flag: "--prune" },
    { section: "search", key: "proposer", value: "resample", flag: "--proposer resample" }
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
