import { InvalidArgumentError, Option, type Command } from "commander";
import { ReerError } from "../errors/ReerError.js";
import { curationConfigSchema, type CurationConfig } from "../curation/curationConfig.js";
import { readCurationConfigFile, resolveCurationConfig, type ConfigOverride } from "../curation/resolveCurationConfig.js";
import { nonNegativeInteger, nonNegativeNumber, positiveInteger } from "./parseOptions.js";

/** The defaults: every "(default ...)" in the help comes from the schema, so help and schema cannot drift. */
const c = curationConfigSchema.parse({});
const d = (value: unknown) => `(default ${String(value)})`;

/** Each config-changing flag: its commander attribute and where its value goes in the config. */
const flagPaths: Record<string, readonly string[]> = {
    endOfThinking: ["endOfThinking", "enabled"],
    tailFraction: ["endOfThinking", "tailFraction"],
    phrasesEn: ["endOfThinking", "phrases", "en"],
    phrasesZh: ["endOfThinking", "phrases", "zh"],
    repetition: ["repetition", "enabled"],
    maxRepetition: ["repetition", "maxRatio"],
    repetitionN: ["repetition", "n"],
    repetitionCjkN: ["repetition", "cjkN"],
    leakage: ["leakage", "enabled"],
    maxOverlapChars: ["leakage", "maxOverlapChars"],
    maxNgramShare: ["leakage", "maxNgramShare"],
    leakageN: ["leakage", "n"],
    leakageCjkN: ["leakage", "cjkN"],
    length: ["length", "enabled"],
    minXTokens: ["length", "x", "min"],
    maxXTokens: ["length", "x", "max"],
    minYTokens: ["length", "y", "min"],
    maxYTokens: ["length", "y", "max"],
    minZTokens: ["length", "z", "min"],
    maxZTokens: ["length", "z", "max"],
    improvement: ["improvement", "enabled"],
    minScoreDrop: ["improvement", "min"],
    // The old name of --min-score-drop (hidden; says so when used).
    minImprovement: ["improvement", "min"],
    gainOverEmpty: ["gainOverEmpty", "enabled"],
    minGainOverEmpty: ["gainOverEmpty", "min"],
    thinkTag: ["thinkTag", "enabled"],
    duplicate: ["duplicate", "enabled"],
    nearDuplicate: ["nearDuplicate", "enabled"],
    nearThreshold: ["nearDuplicate", "threshold"]
};

/** The flags that switch the filters of `reer curate` and set their thresholds. */
export function addCurationOptions(command: Command): Command {
    return command
        .option("--no-end-of-thinking", "keep items with reflection phrases at the end of z")
        .option("--tail-fraction <share>", `end-of-thinking: the share of z (by characters) that counts as its end ${d(c.endOfThinking.tailFraction)}`, ratio)
        .option("--phrases-en <list>", "end-of-thinking: comma-separated English phrases, replacing the defaults", list)
        .option("--phrases-zh <list>", "end-of-thinking: comma-separated Chinese phrases, replacing the defaults", list)
        .option("--no-repetition", "keep items with repetitive z")
        .option("--max-repetition <ratio>", `repetition: drop z when more than this share of its n-grams repeat an earlier one ${d(c.repetition.maxRatio)}`, ratio)
        .option("--repetition-n <n>", `repetition: word n-gram size for spaced text ${d(c.repetition.n)}`, positiveInteger)
        .option("--repetition-cjk-n <n>", `repetition: character n-gram size for CJK text ${d(c.repetition.cjkN)}`, positiveInteger)
        .option("--no-leakage", "keep items whose z copies y")
        .option("--max-overlap-chars <n>", `leakage: the longest run of characters z may share with y verbatim ${d(c.leakage.maxOverlapChars)}`, positiveInteger)
        .option("--max-ngram-share <share>", `leakage: the share of y's n-grams that may occur in z ${d(c.leakage.maxNgramShare)}`, ratio)
        .option("--leakage-n <n>", `leakage: word n-gram size ${d(c.leakage.n)}`, positiveInteger)
        .option("--leakage-cjk-n <n>", `leakage: character n-gram size for CJK text ${d(c.leakage.cjkN)}`, positiveInteger)
        .option("--no-length", "ignore the token bounds")
        .option("--min-x-tokens <n>", "length: fewest tokens in x", nonNegativeInteger)
        .option("--max-x-tokens <n>", "length: most tokens in x", nonNegativeInteger)
        .option("--min-y-tokens <n>", "length: fewest tokens in y", nonNegativeInteger)
        .option("--max-y-tokens <n>", "length: most tokens in y", nonNegativeInteger)
        .option("--min-z-tokens <n>", "length: fewest tokens in z", nonNegativeInteger)
        .option("--max-z-tokens <n>", "length: most tokens in z", nonNegativeInteger)
        .option("--no-improvement", "keep items whatever their score drop")
        .option("--min-score-drop <nll>", `improvement: the least drop score0 - score (clipped mean NLL) an item must show to be kept ${d(c.improvement.min)}`, finiteNumber)
        .addOption(new Option("--min-improvement <nll>", "deprecated name of --min-score-drop").argParser(finiteNumber).hideHelp())
        .option("--gain-over-empty", "keep only items whose z* beats no thinking (the run's own no-thinking score), as REER-PT and VR-CLI select; off by default")
        .option("--min-gain-over-empty <nll>", `gain-over-empty: the least margin, no-thinking score minus z*'s in the search's measure; turns the filter on ${d(c.gainOverEmpty.min)}`, nonNegativeNumber)
        .option("--no-think-tag", "keep items whose initial thinking never closed </think>")
        .option("--no-duplicate", "keep items with the same z as an earlier kept item")
        .option("--no-near-duplicate", "keep items with a z near an earlier kept item's")
        .option("--near-threshold <jaccard>", `near-duplicate: MinHash Jaccard similarity of character 5-grams at which z counts as a copy ${d(c.nearDuplicate.threshold)}`, ratio);
}

/** The effective config: defaults < --config file < command-line flags. */
export async function resolveCurationFlags(command: Command, flags: Record<string, unknown> & { config?: string }): Promise<CurationConfig> {
    if (command.getOptionValueSource("minImprovement") === "cli") {
        if (command.getOptionValueSource("minScoreDrop") === "cli")
            throw new ReerError("INVALID_OPTION", "--min-improvement and --min-score-drop are one setting under two names.", "Give --min-score-drop only.");
        process.stderr.write("note: reer curate's --min-improvement is now --min-score-drop (the least score0 - score an item must show); " +
            "the old name still works for now. In reer synthesize, --min-improvement is what a rewrite must gain.\n");
    }
    const overrides: ConfigOverride[] = Object.entries(flagPaths)
        .filter(([attribute]) => command.getOptionValueSource(attribute) === "cli")
        .map(([attribute, path]) => ({ path, value: flags[attribute] }));
    // A margin asks for the filter: --min-gain-over-empty alone switches it on.
    if (command.getOptionValueSource("minGainOverEmpty") === "cli" && command.getOptionValueSource("gainOverEmpty") !== "cli")
        overrides.push({ path: ["gainOverEmpty", "enabled"], value: true });
    const fileConfig = flags.config == null ? undefined : await readCurationConfigFile(flags.config);
    return resolveCurationConfig(fileConfig, overrides, flags.config ?? "the curation config");
}

function ratio(value: string): number {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed) || parsed < 0 || parsed > 1)
        throw new InvalidArgumentError("expected a number from 0 to 1.");
    return parsed;
}

function finiteNumber(value: string): number {
    const parsed = Number(value);
    if (value.trim() === "" || !Number.isFinite(parsed))
        throw new InvalidArgumentError("expected a number.");
    return parsed;
}

function list(value: string): string[] {
    return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
}
