import { Command, Option } from "commander";
import { EmptyInputError, type InvalidInputError } from "../../errors/inputErrors.js";
import { OutputWriteError } from "../../errors/outputErrors.js";
import { JsonlWriter } from "../../io/JsonlWriter.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";
import { readRecords } from "../../io/readRecords.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import type { LoadedModel } from "../../model/LoadedModel.js";
import { scoreRecords, type ScoreRecordsOptions, type ScoreRecordsSummary } from "../../scoring/scoreRecords.js";
import type { ScoringTemplateName } from "../../scoring/ScoringLayout.js";
import { addModelOptions, loadModelFromFlags, resolveThreads, stockPathWarning, type ModelFlags } from "../modelOptions.js";
import { createCountProgress, type CountProgress } from "../countProgress.js";
import { listenForInterrupts, progressModeOf, type Interrupts, type ProgressFlags } from "../interruptibleRun.js";
import { negativeNumber } from "../parseOptions.js";
import { offeredFlags } from "../offeredFlags.js";

type ScoreFlags = ModelFlags & ProgressFlags & {
    output?: string;
    template: ScoringTemplateName;
    prompts?: string;
    splitHead: boolean;
    clip: number;
    emitTokens: boolean;
    skipInvalid: boolean;
    promptField: string;
    responseField: string;
    thinkingField: string;
    idField: string;
    path?: "fast" | "stock";
};

export function scoreCommand(): Command {
    const command = new Command("score")
        .description("Score PPL(y | x, z) for each record: teacher-forced log-probabilities of the response given the prompt and thinking.")
        .argument("<input>", "JSONL file (one object per line) or a JSON array of objects with prompt, response and optional thinking")
        .addOption(new Option("-o, --output <file>", `output file: JSONL results, one line per record; ${OUTPUT_FILE_HELP}`).default(undefined, "stdout"))
        .addOption(new Option("--template <name>", "paper: the scorer's chat template with <think>/<answer> and an unscored head of y; none: plain text x, z, then y")
            .choices(["paper", "none"]).default("paper"))
        .option("--prompts <dir>", "with --template paper: folder with your own prompt templates (en/ and zh/ with system.txt and score.txt)")
        .option("--split-head", "with --template none, leave y's first segment unscored as the paper preset does", false)
        .option("--clip <floor>", "clip per-token log-probabilities at this floor for clippedMeanNll", negativeNumber, -2)
        .option("--emit-tokens", "add contextTokens, scoredTokens and tokenLogprobs to each result", false)
        .option("--skip-invalid", "skip records that are invalid or cannot be scored, and report how many", false)
        .option("--prompt-field <name>", "input key holding x", "prompt")
        .option("--response-field <name>", "input key holding y", "response")
        .option("--thinking-field <name>", "input key holding z", "thinking")
        .option("--id-field <name>", "input key holding the record id", "id")
        .option("-q, --quiet", "no progress output and no summary", false)
        .addOption(new Option("--progress <mode>", "bar, log (a line per twentieth of the records) or json (JSON lines); on stderr, each ending with a summary")
            .choices(["bar", "log", "json"]).default(undefined, "bar on a terminal, else log"))
        .addOption(new Option("--path <path>", "force the scoring path (for comparisons)").choices(["fast", "stock"]).hideHelp())
        .addHelpText("after", `
Output: one JSON line per record, in input order:
  {"id", "line", "tokenCount", "sumLogprob", "meanNll", "ppl", "clippedMeanNll", "evaluatedTokens", "reusedTokens"}
  plus "contextTokens", "scoredTokens" and "tokenLogprobs" with --emit-tokens (the exact token ids the model saw, context first).

Ctrl-C (or SIGTERM) stops within a decode batch, drops the record in hand and keeps every
record scored (exit code 130, or 143 for SIGTERM); a second signal exits at once and keeps
them too.

Examples:
  reer score pairs.jsonl --model models/qwen2.5-0.5b-instruct-q8_0.gguf -o scores.jsonl
  reer score examples/pairs.jsonl --model ../shared/models/stories260K.gguf --template none --threads 1`);
    addModelOptions(command);
    return command.action(async (input: string, flags: ScoreFlags, self: Command) => await runScore(input, flags, self));
}

/** Reads the input, loads the model, scores every record into the output (or stdout) and says what it did. */
async function runScore(input: string, flags: ScoreFlags, self: Command): Promise<void> {
    const output = flags.output == null ? undefined : OutputFile.check("-o", flags.output, { inputs: [input, flags.model] });
    const { records, invalid } = await readScoreInput(input, flags, self);
    const mode = progressModeOf(flags);
    const progress = createCountProgress(mode, "record");
    const model = await loadModelFromFlags(flags);
    if (!model.runtime.hasFastScoring && flags.path !== "stock")
        process.stderr.write(stockPathWarning);
    // Results go to a temporary file that replaces the output once every record is scored,
    // or once a stop (one signal or two at once) has ended the scoring: finished records are kept.
    const writer = output == null ? JsonlWriter.toStdout() : output.openJsonl();
    const where = output == null ? "on stdout" : `in ${output.file}`;
    const interrupts = keepScoredOnExitNow(writer, progress, where);
    try {
        const summary = await scoreRecords(model, records, scoreOptions(flags, model, interrupts.signal, progress), async (result) => {
            await writer.write(result);
            progress.tick();
        });
        await writer.commit();
        progress.stop();
        reportScoring(summary, { records: records.length, invalid, mode, progress, where });
        if (summary.stopped)
            process.exitCode = interrupts.exitCode();
    } catch (error) {
        const written = writer.written;
        await writer.discard();
        if (output != null && !(error instanceof OutputWriteError))
            process.stderr.write(`note: ${output.file} was not changed${written > 0 ? `; the ${written} record(s) scored before the error were not saved` : ""}\n`);
        throw error;
    } finally {
        interrupts.dispose();
        progress.stop();
        await model.dispose();
    }
}

async function readScoreInput(input: string, flags: ScoreFlags, self: Command) {
    const invalid: InvalidInputError[] = [];
    const records = await readRecords(input, {
        fields: { prompt: flags.promptField, response: flags.responseField, thinking: flags.thinkingField, id: flags.idField },
        skipInvalid: flags.skipInvalid,
        onInvalid: (error) => invalid.push(error),
        offeredFlags: offeredFlags(self)
    });
    if (records.length === 0)
        throw new EmptyInputError(input, "nothing to score", invalid.length);
    return { records, invalid };
}

/** A second signal exits at once: the records scored so far are put in place first. */
function keepScoredOnExitNow(writer: JsonlWriter, progress: CountProgress, where: string): Interrupts {
    return listenForInterrupts({
        stopping: "the record in hand is dropped; every scored record is kept",
        onExitNow: () => {
            progress.stop();
            try {
                writer.keepNow();
            } catch (error) {
                return `the scored records could not be kept: ${error instanceof Error ? error.message : String(error)}`;
            }
            return `the ${writer.written} record(s) scored are ${where}`;
        }
    });
}

function scoreOptions(flags: ScoreFlags, model: LoadedModel, signal: AbortSignal, progress: CountProgress): ScoreRecordsOptions {
    return {
        template: flags.template,
        ...(flags.prompts == null ? {} : { prompts: new PromptSet(flags.prompts) }),
        splitHead: flags.splitHead,
        threads: resolveThreads(flags, model),
        ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
        ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
        flashAttention: flags.flashAttention,
        kvCacheType: flags.kvCacheType,
        clipFloor: flags.clip,
        emitTokens: flags.emitTokens,
        skipInvalid: flags.skipInvalid,
        ...(flags.path == null ? {} : { path: flags.path }),
        signal,
        onPrepared: (count) => progress.start(count)
    };
}

/** The skipped records (on a bar or log) and the summary line, or its JSON event. */
function reportScoring(summary: ScoreRecordsSummary, run: { records: number; invalid: InvalidInputError[]; mode: string; progress: CountProgress; where: string }): void {
    const failures = [...run.invalid, ...summary.skipped.map((item) => item.error)];
    if (run.mode === "bar" || run.mode === "log")
        for (const failure of failures)
            process.stderr.write(`skipped: ${failure.message}\n`);
    const notScored = run.records - summary.skipped.length - summary.scored;
    run.progress.finish(`scored ${summary.scored} record(s)${failures.length > 0 ? `, skipped ${failures.length} invalid` : ""}; ` +
        `${summary.evaluatedTokens} tokens evaluated, ${summary.reusedTokens} reused; context ${summary.contextSize}, ${summary.path} path` +
        (summary.stopped ? `; stopped by an interrupt with ${notScored} record(s) not scored; the ${summary.scored} scored are ${run.where}` : ""), {
        scored: summary.scored, skipped: failures.map((failure) => failure.message), stopped: summary.stopped,
        evaluatedTokens: summary.evaluatedTokens, reusedTokens: summary.reusedTokens, contextSize: summary.contextSize, path: summary.path
    });
}
