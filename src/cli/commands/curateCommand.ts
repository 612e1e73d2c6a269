import { Command } from "commander";
import { formatCurationSummary } from "../../curation/curationReport.js";
import { Curator } from "../../curation/Curator.js";
import { loadTokenCounter } from "../../model/loadTokenCounter.js";
import { readTraceLines } from "../../trace/readTrace.js";
import { ReerError } from "../../errors/ReerError.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";
import { addCurationOptions, resolveCurationFlags } from "../curationFlags.js";

type CurateFlags = {
    output?: string;
    rejected?: string;
    config?: string;
    model?: string;
    printConfig: boolean;
} & Record<string, unknown>;

export function curateCommand(): Command {
    const command = new Command("curate")
        .description("Filter a synthesis trace down to good training items: end-of-thinking, repetition, leakage, length, improvement, </think> and duplicate filters, each recording why it dropped an item.")
        .argument("[trace]", "trace JSONL written by `reer synthesize`")
        .option("-o, --output <file>", `output file: the kept records, unchanged, one per line (needed unless --print-config); ${OUTPUT_FILE_HELP}`)
        .option("--rejected <file>", "write each dropped item here as {id, line, reasons: [{filter, detail}], record} (written like -o)")
        .option("--config <file>", "JSON curation config (any part of the shape --print-config shows); flags override it")
        .option("-m, --model <model>", "count tokens for the length bounds with this GGUF's tokenizer (loaded vocabulary-only) instead of an estimate")
        .option("--print-config", "print the effective config as JSON and exit", false);
    addCurationOptions(command)
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
        const config = await resolveCurationFlags(command, flags);
        if (flags.printConfig) {
            process.stdout.write(JSON.stringify(config, null, 2) + "\n");
            return;
        }
        if (trace == null)
            throw new ReerError("MISSING_ARGUMENT", "No trace file given.", "Usage: reer curate <trace.jsonl> -o <kept.jsonl> [--rejected <dropped.jsonl>]");
        if (flags.output == null)
            throw new ReerError("MISSING_ARGUMENT", "No output file given.", "Pass -o <kept.jsonl>.");
        const inputs = [trace, flags.config, flags.model];
        const kept = OutputFile.check("-o", flags.output, { inputs });
        const rejected = flags.rejected == null ? undefined : OutputFile.check("--rejected", flags.rejected, { inputs, outputs: [kept] });

        const { counter, dispose } = await loadTokenCounter(flags.model);
        const curator = new Curator(config, counter);
        // Both outputs replace their files only once the whole trace has been read and judged.
        const keptWriter = kept.openJsonl();
        const rejectedWriter = rejected?.openJsonl();
        let tornLine: number | undefined;
        try {
            for await (const { line, record, text } of readTraceLines(trace, { onTornTail: (torn) => { tornLine = torn; } })) {
                const verdict = curator.judge(record);
                if (verdict.kept)
                    await keptWriter.write(JSON.parse(text));
                else
                    await rejectedWriter?.write({ id: record.id, line, reasons: verdict.reasons, record: JSON.parse(text) as unknown });
            }
            await keptWriter.finish();
            await rejectedWriter?.finish();
            await keptWriter.commit();
            await rejectedWriter?.commit();
        } catch (error) {
            await keptWriter.discard();
            await rejectedWriter?.discard();
            throw error;
        } finally {
            await dispose();
        }
        if (tornLine != null)
            process.stderr.write(`note: ignored line ${tornLine}, an unfinished write (is synthesize still running?)\n`);
        process.stderr.write(formatCurationSummary(curator.summary(), config));
    });
}
