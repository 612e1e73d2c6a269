import { Command, Option } from "commander";
import { ReerError } from "../../errors/ReerError.js";
import { readEvaluationFile } from "../../evaluation/readEvaluation.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import { chooseItem } from "../../report/chooseItem.js";
import { matchEvaluation } from "../../report/matchEvaluation.js";
import { DEFAULT_MAX_ITEMS, renderReport } from "../../report/renderReport.js";
import { scoringTemplateOf } from "../../report/scoringTemplate.js";
import { compareTokenLogprobs, type TokenComparison } from "../../report/tokenComparison.js";
import type { ScoringTemplateName } from "../../scoring/ScoringLayout.js";
import { describeDuplicateIds, latestById } from "../../trace/latestById.js";
import { readTraceFile } from "../../trace/readTrace.js";
import type { TraceRecord } from "../../trace/traceRecordSchema.js";
import { addModelOptions, loadModelFromFlags, resolveThreads, type ModelFlags } from "../modelOptions.js";
import { negativeNumber, positiveInteger } from "../parseOptions.js";

type ReportFlags = ModelFlags & {
    output: string;
    item?: string;
    maxItems: number;
    template?: ScoringTemplateName;
    prompts?: string;
    clip: number;
    evaluation?: string;
};

export function reportCommand(): Command {
    const command = new Command("report")
        .description("Render a synthesis trace as one self-contained HTML page: scores before and after, gains per step, acceptance by segment, lengths, outcomes, and one item's trajectory in detail.")
        .argument("<trace>", "JSONL written by reer synthesize")
        .option("-o, --output <file>", `output file: the HTML page; ${OUTPUT_FILE_HELP}`, "report.html")
        .addOption(new Option("--item <id>", "item to show in detail, by id or resume key").default(undefined, "the one with the largest improvement"))
        .option("--max-items <n>", "items the page's item picker can show (the charts always cover all)", positiveInteger, DEFAULT_MAX_ITEMS)
        .addOption(new Option("--template <name>", "with --model: the scorer layout the run used")
            .choices(["paper", "none"]).default(undefined, "what the trace records, else paper"))
        .option("--prompts <dir>", "with --model and --template paper: the prompt folder the run used")
        .option("--clip <floor>", "with --model: clip floor of the clipped mean NLL, as the run's", negativeNumber, -2)
        .option("--evaluation <file>", "the JSON of `reer evaluate --json` for this trace: adds what the thinking is worth (PPL of y with no thinking, z0 and z) to the page and to each item");
    const modelFlagNames = new Set(addModelOptions(new Command()).options.map((option) => option.long));
    addModelOptions(command);
    // The model is optional here: only an explicit --model re-scores, never $REER_MODEL.
    for (const option of command.options) {
        if (option.long === "--model") {
            option.description = "GGUF scorer model (path, hf: or URL): re-score the shown item's y token by token under z0 and z, and colour it by the change";
            option.defaultValueDescription = undefined;
        } else if (modelFlagNames.has(option.long ?? "")) {
            // The engine flags matter only when --model re-scores.
            option.description = `with --model: ${option.description}`;
        }
    }
    command.addHelpText("after", `
Examples:
  reer report traces.jsonl -o report.html
  reer evaluate traces.jsonl --json -o eval.json && reer report traces.jsonl -o report.html --evaluation eval.json
  reer report traces.jsonl -o report.html --item ex-bread --model models/qwen2.5-7b-instruct-q4_k_m.gguf --threads 4`);
    return command.action(async (trace: string, flags: ReportFlags) => {
        const output = OutputFile.check("-o", flags.output, { inputs: [trace, flags.model, flags.evaluation] });
        const records = await readTrace(trace);
        const evaluation = flags.evaluation == null ? undefined : readEvaluationFile(flags.evaluation);
        // Checked before --model re-scores anything: an evaluation of another trace is refused at once.
        if (evaluation != null)
            matchEvaluation(records, evaluation, flags.evaluation!);
        const chosen = records[chooseItem(records, flags.item)]!;
        if (flags.model != null && chosen.status !== "done")
            throw noTrajectoryToScore(chosen, records, flags.item != null);
        const tokens = flags.model == null ? undefined : await rescore(chosen, flags);
        const html = renderReport(records, {
            source: trace,
            ...(flags.item == null ? {} : { itemId: flags.item }),
            ...(tokens == null ? {} : { tokens }),
            ...(evaluation == null ? {} : { evaluation, evaluationSource: flags.evaluation! }),
            maxItems: flags.maxItems
        });
        output.writeWhole(html);
        process.stderr.write(`wrote ${flags.output} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB): ${records.length} item(s), ` +
            `showing ${JSON.stringify(chosen.id)}${tokens == null ? "" : " with per-token log-probabilities"}` +
            `${evaluation == null ? "" : `; evaluation of ${evaluation.summary.items} item(s)`}\n`);
    });
}

/** --model re-scores a done item's z; the advice depends on whether --item chose the item. */
function noTrajectoryToScore(chosen: TraceRecord, records: readonly TraceRecord[], itemGiven: boolean): ReerError {
    if (itemGiven)
        return new ReerError("REPORT_NO_TRAJECTORY", `Item ${JSON.stringify(chosen.id)} is ${chosen.status}, so it has no final trajectory for --model to re-score.`,
            "Pick a done item with --item, or leave out --item for the most improved one.");
    return new ReerError("REPORT_NO_TRAJECTORY", `None of the trace's ${records.length} item(s) is done, so there is no trajectory for --model to re-score.`,
        "Leave out --model to render the report without the per-token view.");
}

/** The trace, one record per id (the last: an id on several lines is an item tried again), saying so when ids repeat. */
async function readTrace(file: string): Promise<TraceRecord[]> {
    const lines = await readTraceFile(file, {
        onTornTail: (line) => process.stderr.write(`note: ignoring the unfinished last line ${line} of ${file} (a run still writing, or killed)\n`)
    });
    const { records, duplicates } = latestById(lines);
    if (duplicates.length > 0)
        process.stderr.write(describeDuplicateIds(file, duplicates, lines.length, records.length, "showing"));
    return records;
}

async function rescore(record: TraceRecord, flags: ReportFlags): Promise<TokenComparison> {
    const model = await loadModelFromFlags(flags);
    try {
        return await compareTokenLogprobs(model, record, {
            template: flags.template ?? scoringTemplateOf(record) ?? "paper",
            ...(flags.prompts == null ? {} : { prompts: new PromptSet(flags.prompts) }),
            threads: resolveThreads(flags, model),
            clipFloor: flags.clip,
            ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
            ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
            flashAttention: flags.flashAttention,
            kvCacheType: flags.kvCacheType
        });
    } finally {
        await model.dispose();
    }
}
