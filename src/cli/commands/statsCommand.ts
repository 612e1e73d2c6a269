import { Command } from "commander";
import { loadTokenCounter } from "../../model/loadTokenCounter.js";
import { describeDuplicateIds, latestById } from "../../trace/latestById.js";
import { readTraceFile } from "../../trace/readTrace.js";
import { computeStats } from "../../stats/computeStats.js";
import { formatStats } from "../../stats/formatStats.js";

type StatsFlags = { json: boolean; model?: string };

export function statsCommand(): Command {
    const command = new Command("stats")
        .description("Summarise a synthesis trace: items by status, lengths, steps, acceptance per step, scores before and after, time and tokens.")
        .argument("<trace>", "trace JSONL written by `reer synthesize` (or `reer curate`)")
        .option("--json", "print the report as one JSON object (for scripts)", false)
        .option("-m, --model <model>", "count tokens with this GGUF's tokenizer (loaded vocabulary-only) instead of an estimate")
        .addHelpText("after", `
Lengths, steps, scores and per-item costs are over done items; totals are over all items.
An id on several lines (a retried item, a trace appended to itself) counts once, as its last
record; stderr says how many ids repeat.
Without --model, lengths are estimated: 1 token per CJK character + 1 per 4 other characters.
Distributions give mean, min, median, p90 (linear interpolation) and max.

Examples:
  reer stats traces.jsonl
  reer stats traces.jsonl --json --model models/qwen2.5-7b-instruct-q4_k_m.gguf`);
    return command.action(async (trace: string, flags: StatsFlags) => {
        let tornLine: number | undefined;
        const lines = await readTraceFile(trace, { onTornTail: (line) => { tornLine = line; } });
        // A later line of an id is a later attempt: count each item once, as it ended.
        const { records, duplicates } = latestById(lines);
        if (duplicates.length > 0)
            process.stderr.write(describeDuplicateIds(trace, duplicates, lines.length, records.length, "counting"));
        const { counter, dispose } = await loadTokenCounter(flags.model);
        try {
            const report = computeStats(records, counter);
            process.stdout.write(flags.json ? JSON.stringify(report, null, 2) + "\n" : formatStats(report));
        } finally {
            await dispose();
        }
        if (tornLine != null)
            process.stderr.write(`note: ignored line ${tornLine}, an unfinished write (is synthesize still running?)\n`);
    });
}
