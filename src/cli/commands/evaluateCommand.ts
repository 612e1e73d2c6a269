import { existsSync } from "node:fs";
import { Command, Option } from "commander";
import { ReerError } from "../../errors/ReerError.js";
import { evaluateTrace } from "../../evaluation/evaluateTrace.js";
import type { Evaluation } from "../../evaluation/evaluationSchema.js";
import { formatEvaluation } from "../../evaluation/formatEvaluation.js";
import { describeDuplicateIds, latestById } from "../../trace/latestById.js";
import { onlyValue, runScoringOf } from "../../evaluation/runScoring.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import { PAPER_CLIP_FLOOR } from "../../scoring/scoreAggregates.js";
import type { ScoringTemplateName } from "../../scoring/ScoringLayout.js";
import { readTraceFile } from "../../trace/readTrace.js";
import type { TraceRecord } from "../../trace/traceRecordSchema.js";
import { createCountProgress } from "../countProgress.js";
import { listenForInterrupts } from "../interruptibleRun.js";
import { addModelOptions, loadModelFromFlags, resolveThreads, stockPathWarning, type ModelFlags } from "../modelOptions.js";
import { negativeNumber } from "../parseOptions.js";

type EvaluateFlags = ModelFlags & {
    scorer?: string;
    template?: ScoringTemplateName;
    prompts?: string;
    clip?: number;
    json: boolean;
    output?: string;
    skipInvalid: boolean;
    quiet: boolean;
};

export function evaluateCommand(): Command {
    const command = new Command("evaluate")
        .description("Measure what the thinking is worth: re-score y of every done item of a trace with no thinking, with the initial z0 and with the final z, and compare the perplexities.")
        .argument("<trace>", "trace JSONL written by `reer synthesize`")
        .addOption(new Option("--scorer <model>", "the judge, any model --model takes elsewhere (a catalogue name, a GGUF path, hf:<user>/<repo>/<file>.gguf or a URL); another model than the run's is a held-out judge")
            .default(undefined, "the run's scorer, as the trace records it"))
        .addOption(new Option("--template <name>", "scorer layout: paper (chat template, <think>/<answer>) or none (plain text, for a judge without a chat template)")
            .choices(["paper", "none"]).default(undefined, "the trace's, else paper"))
        .option("--prompts <dir>", "with --template paper: the prompt folder the run used")
        .addOption(new Option("--clip <floor>", "log-probability floor of the clipped mean NLL (objective_*)").argParser(negativeNumber)
            .default(undefined, `the trace's, else ${PAPER_CLIP_FLOOR}`))
        .option("--json", "print one JSON object (items and summary; `reer report --evaluation` reads it)", false)
        .addOption(new Option("-o, --output <file>", `output file: the table, or the JSON with --json; ${OUTPUT_FILE_HELP}`).default(undefined, "stdout"))
        .option("--skip-invalid", "name done items the scorer cannot score (text it cannot encode, too long) instead of failing", false)
        .option("-q, --quiet", "no progress bar", false);
    addModelOptions(command);
    for (const option of command.options) {
        // --scorer names the model here; -m/--model still works, as in every other command.
        if (option.long === "--model")
            option.hideHelp();
        if (option.long === "--model-sha256")
            option.description = "expected sha256 of the scorer's file (64 hex digits), checked before use";
    }
    command.addHelpText("after", `
Each item's three contexts share x and y: "no z" is an empty trajectory, "z0" the initial one,
"final z" the one the search kept. PPL is exp(mean NLL of y's scored tokens), unclipped; the
scored part of y is the run's (the paper layout leaves y's first segment in the context, and so
does --template none where the trace says the run did). Records that share an id count once
(the last); skipped and failed records are named in the summary, not scored.

--json prints {"items": [{"id", "ppl_empty", "ppl_initial", "ppl_final", "objective_empty",
"objective_initial", "objective_final", ...}], "summary": {"items", "improved_vs_initial",
"improved_vs_empty", "median_drop_vs_initial", "median_drop_vs_empty", "scorer", "template",
"skipped_records", "duplicate_ids", ...}}: improved = a strictly lower PPL with the final z
(a share of the items), drop = 1 - ppl_final / ppl_other (the median over the items).

Ctrl-C (or SIGTERM) stops within a decode batch and prints what was evaluated so far,
marked "stopped" (exit code 130, or 143 for SIGTERM); a second signal exits at once.

Examples:
  reer evaluate traces.jsonl
  reer evaluate traces.jsonl --json -o eval.json && reer report traces.jsonl --evaluation eval.json
  reer evaluate traces.jsonl --scorer models/qwen2.5-7b-instruct-q4_k_m.gguf --threads 4`);
    return command.action(async (trace: string, flags: EvaluateFlags, self: Command) => await runEvaluate(trace, flags, self));
}

/** Reads the trace, settles the judge and its layout from the flags and the run, scores, and prints. */
async function runEvaluate(trace: string, flags: EvaluateFlags, self: Command): Promise<void> {
    const named = scorerFlag(flags, self);
    const output = flags.output == null ? undefined : OutputFile.check("-o", flags.output, { inputs: [trace, named] });
    const { records, done, run, template, clipFloor, spec } = await judgeOf(trace, flags, named);
    const model = await loadModelFromFlags({ ...flags, model: spec }, spec);
    const progress = createCountProgress(!flags.quiet && process.stderr.isTTY ? "bar" : "none", "item");
    // Nothing is written until the end, so a second signal has nothing finished to keep.
    const interrupts = listenForInterrupts({
        stopping: "the item in hand is dropped; what was evaluated is printed",
        onExitNow: () => {
            progress.stop();
            return "nothing was written";
        }
    });
    try {
        if (!model.runtime.hasFastScoring)
            process.stderr.write(stockPathWarning);
        if (named == null && !run.scorers.some((scorer) => scorer.headSha256 === model.identity.headSha256))
            process.stderr.write(`note: the file at ${spec} is no longer the model the run scored with (its first MiB differs); ` +
                "its numbers are those of a held-out judge\n");
        const evaluation = await evaluateTrace(model, records, {
            template,
            ...(flags.prompts == null ? {} : { prompts: new PromptSet(flags.prompts) }),
            threads: resolveThreads(flags, model),
            clipFloor,
            ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
            ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
            flashAttention: flags.flashAttention,
            kvCacheType: flags.kvCacheType,
            skipInvalid: flags.skipInvalid,
            signal: interrupts.signal,
            trace,
            onPrepared: (count) => progress.start(count),
            onItem: () => progress.tick()
        });
        progress.stop();
        printEvaluation(evaluation, flags, output);
        if (evaluation.summary.stopped) {
            process.stderr.write(`stopped by an interrupt: ${evaluation.items.length} of ${done.length} done item(s) evaluated\n`);
            process.exitCode = interrupts.exitCode();
        }
    } finally {
        interrupts.dispose();
        progress.stop();
        await model.dispose();
    }
}

/** The trace's records, and the judge, layout and clip floor: the flags', else what the run used. */
async function judgeOf(trace: string, flags: EvaluateFlags, named: string | undefined) {
    const records = await readTraceFile(trace, {
        onTornTail: (line) => process.stderr.write(`note: ignoring the unfinished last line ${line} of ${trace} (a run still writing, or killed)\n`)
    });
    const { records: latest, duplicates } = latestById(records);
    if (duplicates.length > 0)
        process.stderr.write(describeDuplicateIds(trace, duplicates, records.length, latest.length, "evaluating"));
    const done = latest.filter((record) => record.status === "done");
    const run = runScoringOf(done.length > 0 ? done : latest);
    const template = flags.template ?? onlyValue(run.templates, "scorer layouts", "--template paper or --template none") ?? "paper";
    const clipFloor = flags.clip ?? onlyValue(run.clipFloors, "clip floors", "--clip <floor>") ?? PAPER_CLIP_FLOOR;
    return { records, done, run, template, clipFloor, spec: named ?? runScorerPath(run.scorers, latest) };
}

function printEvaluation(evaluation: Evaluation, flags: EvaluateFlags, output: OutputFile | undefined): void {
    const text = flags.json ? JSON.stringify(evaluation, null, 2) + "\n" : formatEvaluation(evaluation);
    if (output == null)
        process.stdout.write(text);
    else
        output.writeWhole(text);
}

/** --scorer, or -m/--model as every other command spells it; only what the user typed counts, never a default. */
function scorerFlag(flags: EvaluateFlags, command: Command): string | undefined {
    const model = command.getOptionValueSource("model") === "cli" ? flags.model : undefined;
    if (flags.scorer != null && model != null && flags.scorer !== model)
        throw new ReerError("INVALID_OPTION", `--scorer ${flags.scorer} and --model ${model} name two different judges.`, "Give the judge once, with --scorer.");
    return flags.scorer ?? model;
}

/** The run's scorer file, which must still be where the trace says it was. */
function runScorerPath(scorers: ReturnType<typeof runScoringOf>["scorers"], records: readonly TraceRecord[]): string {
    if (records.length === 0)
        throw new ReerError("NO_MODEL", "The trace holds no records, so it names no scorer to evaluate with.", "Pass a model with --scorer.");
    const scorer = onlyValue(scorers, "scorer models", "--scorer <model>", (identity) => `${identity.name} (${identity.path})`)!;
    if (!existsSync(scorer.path))
        throw new ReerError("MODEL_NOT_FOUND", `The run's scorer ${scorer.name} is no longer at ${scorer.path}, where the trace says it was.`,
            "Pass its path with --scorer, or another model as a held-out judge.");
    return scorer.path;
}
