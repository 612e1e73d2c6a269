import { Command, Option } from "commander";
import { describeDuplicateIds, latestById } from "../../trace/latestById.js";
import { readTraceFile } from "../../trace/readTrace.js";
import { exportFormats, resolveExportFormat } from "../../export/exportFormats.js";
import { describeExport, exportRecords } from "../../export/exportRecords.js";
import { encodeParquetRows, type ParquetRow } from "../../export/parquetExport.js";
import { JsonlWriter } from "../../io/JsonlWriter.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";

type ExportFlags = { output?: string; format?: string; system?: string; pairWithOriginal: boolean };

export function exportCommand(): Command {
    const command = new Command("export")
        .description("Write curated trace records as training data: chat messages, ShareGPT, prompt/completion, DPO preference pairs or Parquet.")
        .argument("<kept>", "trace JSONL, normally the output of `reer curate`")
        .addOption(new Option("-o, --output <file>", `output file (needed for Parquet); ${OUTPUT_FILE_HELP}`).default(undefined, "stdout"))
        .addOption(new Option("-f, --format <format>", exportFormats.join(" | ")).default(undefined, "parquet for a .parquet output, else messages"))
        .option("--system <text>", "system message to put first (messages, sharegpt, parquet)")
        .option("--pair-with-original", "preference: also pair each accepted rewrite with the segment it replaced", false)
        .addHelpText("after", `
Formats (one JSON object per line, the same keys on every line):
  messages    {"id", "messages": [system?, {"role": "user", "content": x}, {"role": "assistant", "content": "<think>\\n{z}\\n</think>\\n\\n{y}"}]}
  sharegpt    {"id", "conversations": [{"from": "system"?|"human"|"gpt", "value"}]}
  completion  {"id", "prompt": x, "completion": "<think>\\n{z}\\n</think>\\n\\n{y}"}
  preference  {"id", "step", "prompt": x, "chosen", "rejected", "chosenScore", "rejectedScore", "rejectedFrom"}
              chosen and rejected are whole assistant turns whose thinking differs only in the
              segment one search step edited: the accepted rewrite vs a worse-scored one
              ("candidate"), or with --pair-with-original the segment it replaced ("original").
              Scores are the search objective of each trajectory (lower is better).
  parquet     columns id, prompt, completion (strings) and messages (list of {role, content})
Items that are not done are skipped and counted. An id on several lines is exported once,
from its last record (stderr says how many ids repeat).

Examples:
  reer export kept.jsonl -o train.jsonl --system "You are a helpful assistant."
  reer export kept.jsonl -o train.parquet
  reer export kept.jsonl -o pairs.jsonl --format preference --pair-with-original`);
    return command.action(async (input: string, flags: ExportFlags) => {
        const format = resolveExportFormat(flags.format, flags.output);
        const output = flags.output == null ? undefined : OutputFile.check("-o", flags.output, { inputs: [input] });
        let tornLine: number | undefined;
        const lines = await readTraceFile(input, { onTornTail: (line) => { tornLine = line; } });
        if (tornLine != null)
            process.stderr.write(`note: ignored line ${tornLine}, an unfinished write (is synthesize still running?)\n`);
        // Training data holds each item once: the last record of an id is its latest attempt.
        const { records, duplicates } = latestById(lines);
        if (duplicates.length > 0)
            process.stderr.write(describeDuplicateIds(input, duplicates, lines.length, records.length, "exporting"));
        const { rows, counts } = exportRecords(records, {
            format,
            ...(flags.system == null ? {} : { system: flags.system }),
            pairWithOriginal: flags.pairWithOriginal
        });
        if (format === "parquet") {
            output!.writeWhole(encodeParquetRows(rows as ParquetRow[]));
        } else {
            const writer = output == null ? JsonlWriter.toStdout() : output.openJsonl();
            try {
                for (const row of rows)
                    await writer.write(row);
                await writer.commit();
            } catch (error) {
                await writer.discard();
                throw error;
            }
        }
        process.stderr.write(describeExport(counts, format, flags.output));
    });
}
