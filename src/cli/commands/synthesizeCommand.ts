import path from "node:path";
import { Command, Option } from "commander";
import { objectiveNames } from "../../config/searchConfig.js";
import type { SynthesisConfig } from "../../config/synthesisConfig.js";
import { ReerError } from "../../errors/ReerError.js";
import { readRecords } from "../../io/readRecords.js";
import { LoadedModel } from "../../model/LoadedModel.js";
import { resolveModelPath } from "../../model/resolveModelPath.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import { findJobOutputs } from "../../sharding/findShardOutputs.js";
import { parseShardSpec, shardOutputPath } from "../../sharding/ShardSpec.js";
import { runSynthesis } from "../../synthesis/runSynthesis.js";
import { addEngineOptions, type EngineFlags } from "../engineOptions.js";
import { nonNegativeInteger, nonNegativeNumber, negativeNumber, positiveInteger, probability } from "../parseOptions.js";
import { createProgressReporter, type ProgressMode } from "../progressReporter.js";
import { stockPathWarning } from "./scoreCommand.js";
import { printDryRun } from "./synthesizeDryRun.js";
import { resolveSynthesisConfig } from "../synthesisFlags.js";

type SynthesizeFlags = EngineFlags & {
    output: string;
    generator?: string;
    scorer?: string;
    config?: string;
    prompts?: string;
    retryFailed: boolean;
    skipInvalid: boolean;
    dryRun: boolean;
    quiet: boolean;
    progress?: ProgressMode;
    shard?: string;
};

export function synthesizeCommand(): Command {
    const command = new Command("synthesize")
        .description("Search a thinking trajectory z for every (x, y) pair: draft z, then rewrite it segment by segment, keeping only rewrites that make y more predictable.")
        .argument("<input>", "JSONL or JSON array of {id?, prompt, response} (or chat {messages}); see --prompt-field etc.")
        .requiredOption("-o, --output <file>", "trace JSONL: one line per item, appended as items finish; re-running resumes it")
        .option("--generator <model>", "model that writes and rewrites trajectories (default: --model)")
        .option("--scorer <model>", "model that scores PPL(y | x, z) (default: --model)")
        .option("--config <file>", "JSON config (see --dry-run for the full shape); flags override it")
        .option("--seed <n>", "seed for openers and sampling (default 0)", nonNegativeInteger)
        .option("--parallel <n>", "items in flight at once, sharing the loaded models (default 1)", positiveInteger)
        .addOption(new Option("--candidate-mode <mode>", "auto (default): concurrent on a GPU, sequential on a CPU; concurrent: candidates on parallel sequences, decoded in one batch; sequential: one after another on one sequence, evaluating the edit prompt once").choices(["auto", "sequential", "concurrent"]))
        .option("--max-tokens <n>", "cap on new tokens per generator call (default 8000)", positiveInteger)
        .option("--temperature <t>", "sampling temperature (default 0.8)", nonNegativeNumber)
        .option("--top-p <p>", "nucleus sampling (default 0.85)", probability)
        .option("--top-k <k>", "top-k sampling, 0 = off (default 0)", nonNegativeInteger)
        .option("--candidates <n>", "rewrites per segment (default 2)", positiveInteger)
        .option("--max-steps <n>", "segments visited per pass (default 10)", nonNegativeInteger)
        .option("--stop-threshold <v>", "stop when the clipped mean NLL falls below this (default 0.25)", nonNegativeNumber)
        .option("--passes <n>", "passes over the segments (default 1)", positiveInteger)
        .option("--patience <n>", "stop after this many passes without improvement (default 1)", positiveInteger)
        .option("--min-improvement <v>", "a rewrite must improve the objective by more than this (default 0: strictly)", nonNegativeNumber)
        .addOption(new Option("--objective <name>", "what to minimise (default clippedMeanNll)").choices(objectiveNames))
        .option("--clip <floor>", "log-probability floor of the clipped objective (default -2)", negativeNumber)
        .option("--min-thinking-tokens <n>", "skip items whose initial z is shorter (default 100)", nonNegativeInteger)
        .option("--max-thinking-tokens <n>", "longest z the search may produce, in tokens of either model; longer rewrites are refused as too-long and the contexts are sized for it (default: 2 x --max-tokens)", positiveInteger)
        .option("--initial-drafts <n>", "initial trajectories drafted per item; the search starts from the best-scoring one (default 1)", positiveInteger)
        .option("--accept-unclosed-rewrite", "take a last <refine> block that never closes, to the end of the turn (the default, as in the reference)")
        .option("--no-accept-unclosed-rewrite", "reject a last <refine> block that never closes (the preset, like the reference, takes it to the end of the turn)")
        .option("--no-answer-after-think", "score the whole response even when it holds </think> (default: y is the text after its last </think>, as in the reference)")
        .addOption(new Option("--generator-template <mode>", "chat: the generator's chat template; none: plain text (models without one)").choices(["chat", "none"]))
        .addOption(new Option("--template <mode>", "scorer prompt: paper (chat template, <think>/<answer>) or none (plain)").choices(["paper", "none"]))
        .option("--prompts <dir>", "your own prompt templates (copy prompts/ from the package and edit)")
        .option("--prompt-field <name>", "input key for x (default prompt; the reference code used question)")
        .option("--response-field <name>", "input key for y (default response; the reference code used solution)")
        .option("--id-field <name>", "input key for the id (default id)")
        .option("--messages-field <name>", "input key for a chat transcript (default messages)")
        .option("--shard <i/N|auto>", "process only shard i of N (0-based; items assigned by a hash of their id) into <output>.shard-i-of-N.jsonl; auto reads SLURM array or Kubernetes Indexed Job variables")
        .option("--retry-failed", "recompute items that failed in an earlier run", false)
        .option("--skip-invalid", "skip invalid input records instead of stopping", false)
        .option("--dry-run", "print the effective config and an estimate of the work, then exit", false)
        .option("-q, --quiet", "no progress output", false)
        .addOption(new Option("--progress <mode>", "bar (default on a terminal), log (a line per item) or json (JSON lines on stderr)").choices(["bar", "log", "json"]))
        .addHelpText("after", `
The defaults are the paper preset: 2 candidates per segment, up to 10 segments in one
left-to-right pass, strict improvement, stop below a clipped mean NLL of 0.25, sampling at
temperature 0.8 and top-p 0.85.

Resume: run the same command again. Items already done or skipped are kept, failed ones are
retried with --retry-failed, and a run killed at any moment loses only the items in flight.
Ctrl-C stops after the current write; a second Ctrl-C aborts at once.

Examples:
  reer synthesize examples/pairs.jsonl -o traces.jsonl --model models/qwen2.5-7b-instruct-q4_k_m.gguf
  reer synthesize pairs.jsonl -o traces.jsonl --generator models/qwen2.5-7b-instruct-q4_k_m.gguf --scorer models/qwen2.5-1.5b-instruct-q8_0.gguf --parallel 2
  reer synthesize data.jsonl -o traces.jsonl --model m.gguf --prompt-field question --response-field solution --dry-run`);
    addEngineOptions(command);
    return command.action(async (input: string, flags: SynthesizeFlags, self: Command) => {
        const config = resolveSynthesisConfig(self, flags as unknown as Record<string, unknown>);
        const invalid: string[] = [];
        const records = await readRecords(input, {
            fields: config.fields,
            skipInvalid: flags.skipInvalid,
            onInvalid: (error) => invalid.push(error.message)
        });
        for (const message of invalid)
            process.stderr.write(`skipped invalid input: ${message}\n`);
        const prompts = new PromptSet(flags.prompts);

        const generatorSpec = flags.generator ?? flags.model;
        const scorerSpec = flags.scorer ?? flags.model;
        if (generatorSpec == null && scorerSpec == null && process.env.REER_MODEL == null)
            throw new ReerError("NO_MODEL", "No model given.", "Pass --model (both roles), or --generator and --scorer. See models/README.md.");
        const resolveOptions = { modelsDir: flags.modelsDir, ...(flags.modelSha256 == null ? {} : { sha256: flags.modelSha256 }) };
        const generatorPath = await resolveModelPath(generatorSpec, resolveOptions);
        const scorerPath = scorerSpec === generatorSpec ? generatorPath : await resolveModelPath(scorerSpec, resolveOptions);
        const loadOptions = {
            gpu: flags.gpu,
            ...(flags.gpuLayers == null ? {} : { gpuLayers: flags.gpuLayers }),
            ...(flags.dryRun ? { vocabOnly: true } : {})
        };
        const generatorModel = await LoadedModel.load(generatorPath, loadOptions);
        const scorerModel = scorerPath === generatorPath ? generatorModel : await LoadedModel.load(scorerPath, loadOptions);
        const threads = flags.threads ?? Math.max(1, generatorModel.runtime.llama.cpuMathCores);
        try {
            if (flags.dryRun) {
                printDryRun({ config, records, generatorModel, scorerModel, prompts, threads, output: flags.output });
                return;
            }
            const shard = flags.shard == null ? undefined : parseShardSpec(flags.shard);
            const output = shard == null ? flags.output : shardOutputPath(flags.output, shard);
            const otherOutputs = findJobOutputs(flags.output).filter((file) => path.resolve(file) !== path.resolve(output));
            if (shard != null)
                process.stderr.write(`shard ${shard.index} of ${shard.count}: writing ${output}${otherOutputs.length > 0 ? `, skipping items finished in ${otherOutputs.length} other output file(s)` : ""}\n`);
            await runWithSignals(config, flags, async (signal, reporter) => {
                if (!generatorModel.runtime.hasFastScoring)
                    process.stderr.write(stockPathWarning);
                const summary = await runSynthesis({
                    items: records, output, config,
                    ...(shard == null ? {} : { shard }),
                    otherOutputs, generatorModel, scorerModel, prompts, threads,
                    ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
                    ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
                    flashAttention: flags.flashAttention,
                    kvCacheType: flags.kvCacheType,
                    retryFailed: flags.retryFailed,
                    signal,
                    onEvent: reporter.onEvent
                });
                reporter.finish(summary);
                if (summary.stopped)
                    process.exitCode = 130;
            });
        } finally {
            if (scorerModel !== generatorModel)
                await scorerModel.dispose();
            await generatorModel.dispose();
        }
    });
}

async function runWithSignals(config: SynthesisConfig, flags: SynthesizeFlags,
    run: (signal: AbortSignal, reporter: ReturnType<typeof createProgressReporter>) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    const mode: ProgressMode | "none" = flags.quiet ? "none" : flags.progress ?? (process.stderr.isTTY ? "bar" : "log");
    const reporter = createProgressReporter(mode, config);
    let interrupts = 0;
    const onSignal = (): void => {
        interrupts++;
        if (interrupts === 1) {
            process.stderr.write("\nstopping: finishing the current write (Ctrl-C again to abort now)\n");
            controller.abort();
        } else {
            reporter.stop();
            process.stderr.write("aborted\n");
            process.exit(130);
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        await run(controller.signal, reporter);
    } finally {
        reporter.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}
