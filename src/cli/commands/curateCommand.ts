import { Command, InvalidArgumentError } from "commander";
import { formatCurationSummary } from "../../curation/curationReport.js";
import { assertNotInput } from "../../curation/assertNotInput.js";
import { Curator } from "../../curation/Curator.js";
import { loadTokenCounter } from "../../model/loadTokenCounter.js";
import { readTraceLines } from "../../trace/readTrace.js";
import { readCurationConfigFile, resolveCurationConfig, type ConfigOverride } from "../../curation/resolveCurationConfig.js";
import { ReerError } from "../../errors/ReerError.js";
import { JsonlWriter } from "../../io/JsonlWriter.js";
import { nonNegativeInteger, positiveInteger } from "../parseOptions.js";

type CurateFlags = {
    output?: string;
    rejected?: string;
    config?: string;
    model?: string;
    printConfig: boolean;
} & Record<string, unknown>;

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
    minImprovement: ["improvement", "min"],
    thinkTag: ["thinkTag", "enabled"],
    duplicate: ["duplicate", "enabled"],
    nearDuplicate: ["nearDuplicate", "enabled"],
    nearThreshold: ["nearDuplicate", "threshold"]
};

export function curateCommand(): Command {
    const command = new Command("curate")
        .description("Filter a synthesis trace down to good training items: end-of-thinking, repetition, leakage, length, improvement, </think> and duplicate filters, each recording why it dropped an item.")
        .argument("[trace]", "trace JSONL written by `reer synthesize`")
        .option("-o, --output <file>", "write the kept records here, unchanged, one per line")
        .option("--rejected <file>", "write each dropped item here as {id, line, reasons: [{filter, detail}], record}")
        .option("--config <file>", "JSON curation config (any part of the shape --print-config shows); flags override it")
        .option("-m, --model <model>", "count tokens for the length bounds with this GGUF's tokenizer (loaded vocabulary-only); default: an estimate")
        .option("--print-config", "print the effective config as JSON and exit", false)
        .option("--no-end-of-thinking", "keep items with reflection phrases at the end of z")
        .option("--tail-fraction <share>", "end-of-thinking: the share of z (by characters) that counts as its end (default 0.1)", ratio)
        .option("--phrases-en <list>", "end-of-thinking: comma-separated English phrases, replacing the defaults", list)
        .option("--phrases-zh <list>", "end-of-thinking: comma-separated Chinese phrases, replacing the defaults", list)
        .option("--no-repetition", "keep items with repetitive z")
        .option("--max-repetition <ratio>", "repetition: drop z when more than this share of its n-grams repeat an earlier one (default 0.3)", ratio)
        .option("--repetition-n <n>", "repetition: word n-gram size for spaced text (default 4)", positiveInteger)
        .option("--repetition-cjk-n <n>", "repetition: character n-gram size for CJK text (default 6)", positiveInteger)
        .option("--no-leakage", "keep items whose z copies y")
        .option("--max-overlap-chars <n>", "leakage: the longest run of characters z may share with y verbatim (default 120)", positiveInteger)
        .option("--max-ngram-share <share>", "leakage: the share of y's n-grams that may occur in z (default 0.5)", ratio)
        .option("--leakage-n <n>", "leakage: word n-gram size (default 8)", positiveInteger)
        .option("--leakage-cjk-n <n>", "leakage: character n-gram size for CJK text (default 12)", positiveInteger)
        .option("--no-length", "ignore the token bounds")
        .option("--min-x-tokens <n>", "length: fewest tokens in x", nonNegativeInteger)
        .option("--max-x-tokens <n>", "length: most tokens in x", nonNegativeInteger)
        .option("--min-y-tokens <n>", "length: fewest tokens in y", nonNegativeInteger)
        .option("--max-y-tokens <n>", "length: most tokens in y", nonNegativeInteger)
        .option("--min-z-tokens <n>", "length: fewest tokens in z", nonNegativeInteger)
        .option("--max-z-tokens <n>", "length: most tokens in z", nonNegativeInteger)
        .option("--no-improvement", "keep items whatever their score improvement")
        .option("--min-improvement <nll>", "improvement: the least score0 - score in clipped mean NLL (default 0)", finiteNumber)
        .option("--no-think-tag", "keep items whose initial thinking never closed </think>")
        .option("--no-duplicate", "keep items with the same z as an earlier kept item")
        .option("--no-near-duplicate", "keep items with a z near an earlier kept item's")
        .option("--near-threshold <jaccard>", "near-duplicate: MinHash Jaccard similarity of character 5-grams at which z counts as a copy (default 0.8)", ratio)
        .addHelpText("after", `
Only items with status "done" can be kept; others are dropped with reason "status:<status>".
An item can fail several filters; each is recorded. Duplicates keep the first kept copy.
Token counts: with --model, the model's tokenizer; otherwise an estimate of 1 token per
CJK character plus 1 per 4 other characters (the summary says which was used).
The summary table goes to stderr, with the distribution of the repetition ratio.

Examples:
  reer curate traces.jsonl -o kept.jsonl --rejected dropped.jsonl
  reer curate traces.jsonl -o kept.jsonl --max-repetition 0.2 --max-z-tokens 6000 --model models/qwen2.5-7b-instruct-q4_k_m.gguf
  reer curate --print-config > curate.json   # edit, then: reer curate traces.jsonl -o kept.jsonl --config curate.json`);
    return command.action(async (trace: string | undefined, flags: CurateFlags) => {
        const overrides: ConfigOverride[] = Object.entries(flagPaths)
            .filter(([attribute]) => command.getOptionValueSource(attribute) === "cli")
            .map(([attribute, path]) => ({ path, value: flags[attribute] }));
        const fileConfig = flags.config == null ? undefined : await readCurationConfigFile(flags.config);
        const config = resolveCurationConfig(fileConfig, overrides, flags.config ?? "the curation config");
        if (flags.printConfig) {
            process.stdout.write(JSON.stringify(config, null, 2) + "\n");
            return;
        }
        if (trace == null)
            throw new ReerError("MISSING_ARGUMENT", "No trace file given.", "Usage: reer curate <trace.jsonl> -o <kept.jsonl> [--rejected <dropped.jsonl>]");
        if (flags.output == null)
            throw new ReerError("MISSING_ARGUMENT", "No output file given.", "Pass -o <kept.jsonl>.");
        assertNotInput(trace, [flags.output, flags.rejected]);

        const { counter, dispose } = await loadTokenCounter(flags.model);
        const curator = new Curator(config, counter);
        const keptWriter = new JsonlWriter(flags.output);
        const rejectedWriter = flags.rejected == null ? undefined : new JsonlWriter(flags.rejected);
        let tornLine: number | undefined;
        try {
            for await (const { line, record, text } of readTraceLines(trace, { onTornTail: (torn) => { tornLine = torn; } })) {
                const verdict = curator.judge(record);
                if (verdict.kept)
                    await keptWriter.write(JSON.parse(text));
                else
                    await rejectedWriter?.write({ id: record.id, line, reasons: verdict.reasons, record: JSON.parse(text) as unknown });
            }
        } finally {
            await keptWriter.close();
            await rejectedWriter?.close();
            await dispose();
        }
        if (tornLine != null)
            process.stderr.write(`note: ignored line ${tornLine}, an unfinished write (is synthesize still running?)\n`);
        process.stderr.write(formatCurationSummary(curator.summary(), config));
    });
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
