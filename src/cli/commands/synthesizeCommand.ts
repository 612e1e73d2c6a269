import path from "node:path";
import { Command, Option } from "commander";
import { EmptyInputError } from "../../errors/inputErrors.js";
import { OutputFile } from "../../io/OutputFile.js";
import { readRecords } from "../../io/readRecords.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import { findJobOutputs } from "../../sharding/findShardOutputs.js";
import { parseShardSpec, shardOutputPath } from "../../sharding/ShardSpec.js";
import type { SynthesisConfig } from "../../config/synthesisConfig.js";
import type { ShardSpec } from "../../sharding/ShardSpec.js";
import { runSynthesis, type RunSynthesisOptions, type SynthesisInput } from "../../synthesis/runSynthesis.js";
import { statusFileOf } from "../../trace/runStatusSchema.js";
import { TraceLock } from "../../trace/TraceLock.js";
import { ExitCode } from "../exitCodes.js";
import { interruptibleRun, type ProgressFlags } from "../interruptibleRun.js";
import { offeredFlags } from "../offeredFlags.js";
import { nonNegativeNumber } from "../parseOptions.js";
import { addModelOptions, addRoleOptions, loadModelPair, type RoleFlags, stockPathWarning, threadChoiceOf, type ModelFlags } from "../modelOptions.js";
import { addSynthesisOptions, explicitSettings, resolveSynthesisConfig } from "../synthesisFlags.js";
import { printDryRun } from "./synthesizeDryRun.js";

type SynthesizeFlags = ModelFlags & ProgressFlags & RoleFlags & {
    output: string;
    config?: string;
    prompts?: string;
    retryFailed: boolean;
    skipInvalid: boolean;
    dryRun: boolean;
    shard?: string;
    preset: "auto" | "small" | "paper";
    heartbeat: number;
};

export function synthesizeCommand(): Command {
    const command = new Command("synthesize")
        .description("Search a thinking trajectory z for every (x, y) pair: draft z, then rewrite it segment by segment, keeping only rewrites that make y more predictable.")
        .argument("<input>", "JSONL or JSON array of {id?, prompt, response} (or chat {messages}); see --prompt-field etc.")
        .requiredOption("-o, --output <file>", "output file: the trace JSONL, one line per item, appended as items finish (re-running resumes it); with --shard, the name the shard files are derived from; a missing folder is created, and <file>.lock keeps other runs out while this one appends");
    addRoleOptions(command)
        .option("--config <file>", "JSON config (see --dry-run for the full shape); flags override it")
        .option("--prompts <dir>", "your own prompt templates (copy prompts/ from the package and edit)");
    addSynthesisOptions(command)
        .option("--shard <i/N|auto>", "process only shard i of N (0-based; items assigned by a hash of their id) into <output>.shard-i-of-N.jsonl; auto reads SLURM array or Kubernetes Indexed Job variables")
        .option("--retry-failed", "recompute items that failed in an earlier run", false)
        .option("--skip-invalid", "skip invalid input records instead of stopping", false)
        .option("--dry-run", "print the effective config and an estimate of the work, then exit", false)
        .option("-q, --quiet", "no progress output and no summary", false)
        .addOption(new Option("--progress <mode>", "bar (items, step, tokens/s, ETA), log (a line per item) or json (JSON lines); on stderr, each ending with a summary").choices(["bar", "log", "json"]).default(undefined, "bar on a terminal, else log"))
        .option("--heartbeat <seconds>", "every <seconds> while an item runs, what it is doing: phase, tokens so far and tokens/s (a line with --progress log or json, the bar's step otherwise); 0: none", nonNegativeNumber, 5)
        .addHelpText("after", `
The settings are the paper preset: 2 candidates per segment, up to 10 segments in one
left-to-right pass, strict improvement, stop below a clipped mean NLL of 0.25, sampling at
temperature 0.8 and top-p 0.85, up to 8000 new tokens per call. --preset auto (the default)
changes what the models cannot do and says so in the start line: the new-token cap when it
does not fit their contexts, and the small-model preset for generators under 1.5B
parameters. --preset paper runs the reference settings exactly. With no model option the
default model smollm2-135m-instruct plays both roles (pulled when missing).

Resume: run the same command again. Items already done or skipped are kept, failed ones are
retried with --retry-failed, and a run killed at any moment loses only the items in flight.
Ctrl-C (or SIGTERM) stops within a decode step: the items in flight are abandoned (the next
run redoes them), every finished item is kept, and the run exits 130 (143 for SIGTERM); a
second signal exits at once, keeping them too. A run in which some
items failed exits with 3 (partial result); skipped items carry their reason in the trace
and in the summary at the end.

Examples:
  reer synthesize examples/pairs.jsonl -o traces.jsonl --model models/qwen2.5-7b-instruct-q4_k_m.gguf
  reer synthesize pairs.jsonl -o traces.jsonl --generator models/qwen2.5-7b-instruct-q4_k_m.gguf --scorer models/qwen2.5-1.5b-instruct-q8_0.gguf --parallel 2
  reer synthesize data.jsonl -o traces.jsonl --model m.gguf --prompt-field question --response-field solution --dry-run`);
    addModelOptions(command);
    return command.action(async (input: string, flags: SynthesizeFlags, self: Command) => {
        const inputs = [input, flags.config, flags.model, flags.generator, flags.scorer];
        OutputFile.check("-o", flags.output, { inputs });
        // Checked here, before anything is read or loaded, so --dry-run refuses what a real run refuses.
        const shard = flags.shard == null ? undefined : parseShardSpec(flags.shard);
        const output = shard == null ? flags.output : shardOutputPath(flags.output, shard);
        if (shard != null)
            OutputFile.check("-o", output, { inputs });
        const config = resolveSynthesisConfig(self, flags as unknown as Record<string, unknown>);
        const adaptToModels = flags.preset === "paper" ? undefined : { explicit: explicitSettings(self, flags as unknown as Record<string, unknown>), preset: flags.preset };
        let invalid = 0;
        const records = await readRecords(input, {
            fields: config.fields,
            skipInvalid: flags.skipInvalid,
            onInvalid: (error) => {
                invalid++;
                process.stderr.write(`skipped invalid input: ${error.message}\n`);
            },
            offeredFlags: offeredFlags(self)
        });
        if (records.length === 0)
            throw new EmptyInputError(input, "nothing to synthesize", invalid);
        const prompts = new PromptSet(flags.prompts);
        // Taken before the models load, so a second run on this output is refused at once.
        const lock = flags.dryRun ? undefined : TraceLock.acquire(output);
        try {
            await synthesizeWithModels({ flags, output, shard, config, adaptToModels, records, prompts, lock });
        } finally {
            lock?.release();
        }
    });
}

/** What the command resolved before loading any model. */
type SynthesisRequest = {
    flags: SynthesizeFlags;
    output: string;
    shard: ShardSpec | undefined;
    config: SynthesisConfig;
    adaptToModels: RunSynthesisOptions["adaptToModels"];
    records: SynthesisInput[];
    prompts: PromptSet;
    lock: TraceLock | undefined;
};

/** Loads the models, then prints the dry run or runs the synthesis with progress and interrupts. */
async function synthesizeWithModels(request: SynthesisRequest): Promise<void> {
    const { flags, config, records, prompts, output, adaptToModels } = request;
    const models = await loadModelPair(flags, { vocabOnly: flags.dryRun });
    try {
        const { threads, reason: threadsReason } = threadChoiceOf(flags, models.generator);
        if (flags.dryRun) {
            printDryRun({ config, records, generatorModel: models.generator, scorerModel: models.scorer, prompts, threads, threadsReason, output,
                ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }), ...(adaptToModels == null ? {} : { adaptToModels }) });
            return;
        }
        const otherOutputs = findJobOutputs(flags.output).filter((file) => path.resolve(file) !== path.resolve(output));
        if (request.shard != null)
            process.stderr.write(`shard ${request.shard.index} of ${request.shard.count}: writing ${output}${otherOutputs.length > 0 ? `, skipping items finished in ${otherOutputs.length} other output file(s)` : ""}\n`);
        if (!models.generator.runtime.hasFastScoring)
            process.stderr.write(stockPathWarning);
        await interruptibleRun(config, flags, async (interrupts, reporter) => {
            const summary = await runSynthesis({
                items: records, output, config, otherOutputs, prompts, threads, signal: interrupts.signal,
                heartbeatMs: flags.heartbeat * 1000,
                ...(threadsReason === "--threads" ? {} : { threadsReason }),
                generatorModel: models.generator, scorerModel: models.scorer,
                ...(request.shard == null ? {} : { shard: request.shard }),
                ...(request.lock == null ? {} : { lock: request.lock }),
                statusFile: statusFileOf(output),
                ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
                ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
                flashAttention: flags.flashAttention,
                kvCacheType: flags.kvCacheType,
                retryFailed: flags.retryFailed,
                ...(adaptToModels == null ? {} : { adaptToModels }),
                onEvent: reporter.onEvent
            });
            reporter.finish(summary);
            if (summary.stopped)
                process.exitCode = interrupts.exitCode();
            else if (summary.byStatus.failed > 0)
                process.exitCode = ExitCode.partial;
        });
    } finally {
        await models.dispose();
    }
}
