import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { PromptSet } from "../../prompts/PromptSet.js";
import { chooseItem } from "../../report/chooseItem.js";
import { DEFAULT_MAX_ITEMS, renderReport } from "../../report/renderReport.js";
import { scoringTemplateOf } from "../../report/scoringTemplate.js";
import { compareTokenLogprobs, type TokenComparison } from "../../report/tokenComparison.js";
import type { ScoringTemplateName } from "../../scoring/ScoringLayout.js";
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
};

export function reportCommand(): Command {
    const command = new Command("report")
        .description("Render a synthesis trace as one self-contained HTML page: scores before and after, gains per step, acceptance by segment, lengths, outcomes, and one item's trajectory in detail.")
        .argument("<trace>", "JSONL written by reer synthesize")
        .option("-o, --output <file>", "HTML file to write", "report.html")
        .option("--item <id>", "item to show in detail, by id or resume key (default: the one with the largest improvement)")
        .option("--max-items <n>", "items the page's item picker can show (the charts always cover all)", positiveInteger, DEFAULT_MAX_ITEMS)
        .addOption(new Option("--template <name>", "with --model: the scorer layout the run used (default: what the trace's prompt ids show, else paper)")
            .choices(["paper", "none"]))
        .option("--prompts <dir>", "with --model and --template paper: the prompt folder the run used")
        .option("--clip <floor>", "with --model: clip floor of the clipped mean NLL, as the run's", negativeNumber, -2);
    addModelOptions(command);
    // The model is optional here: only an explicit --model re-scores, never $REER_MODEL.
    const modelOption = command.options.find((option) => option.long === "--model");
    if (modelOption != null)
        modelOption.description = "GGUF scorer model (path, hf: or URL): re-score the shown item's y token by token under z0 and z, and colour it by the change";
    command.addHelpText("after", `
Examples:
  reer report traces.jsonl -o report.html
  reer report traces.jsonl -o report.html --item ex-bread --model models/qwen2.5-7b-instruct-q4_k_m.gguf --threads 4`);
    return command.action(async (trace: string, flags: ReportFlags) => {
        const records = await readTrace(trace);
        const chosen = records[chooseItem(records, flags.item)]!;
        const tokens = flags.model == null ? undefined : await rescore(chosen, flags);
        const html = renderReport(records, {
            source: trace,
            ...(flags.item == null ? {} : { itemId: flags.item }),
            ...(tokens == null ? {} : { tokens }),
            maxItems: flags.maxItems
        });
        mkdirSync(path.dirname(path.resolve(flags.output)), { recursive: true });
        writeFileSync(flags.output, html);
        process.stderr.write(`wrote ${flags.output} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB): ${records.length} item(s), ` +
            `showing ${JSON.stringify(chosen.id)}${tokens == null ? "" : " with per-token log-probabilities"}\n`);
    });
}

async function readTrace(file: string): Promise<TraceRecord[]> {
    return await readTraceFile(file, {
        onTornTail: (line) => process.stderr.write(`note: ignoring the unfinished last line ${line} of ${file} (a run still writing, or killed)\n`)
    });
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
