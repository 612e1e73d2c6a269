import { existsSync } from "node:fs";
import { Command } from "commander";
import { ReerError } from "../../errors/ReerError.js";
import { readRecords } from "../../io/readRecords.js";
import { findJobOutputs } from "../../sharding/findShardOutputs.js";
import { mergeTraces } from "../../sharding/mergeTraces.js";
import { checkOneRun } from "../../sharding/oneRunOnly.js";
import { itemKey } from "../../synthesis/runSynthesis.js";
import { readTraceFile } from "../../trace/readTrace.js";
import { OUTPUT_FILE_HELP, OutputFile } from "../../io/OutputFile.js";
import { ExitCode } from "../exitCodes.js";
import { offeredFlags } from "../offeredFlags.js";

type MergeFlags = {
    output: string;
    allowMissing: boolean;
    promptField: string;
    responseField: string;
    idField: string;
    messagesField: string;
};

export function mergeCommand(): Command {
    return new Command("merge")
        .description("Combine the shard outputs of a sharded synthesize job into one trace, checking that every input item appears exactly once and that every shard ran with the same models and settings.")
        .argument("<input>", "the input file the job ran on (the list of items that must be present)")
        .argument("<traces...>", "trace files, or the -o path given to synthesize (its .shard-i-of-N files are found)")
        .requiredOption("-o, --output <file>", `output file: the merged trace JSONL, in input order; ${OUTPUT_FILE_HELP}`)
        .option("--allow-missing", "exit 0 even when input items are missing (without it, the merge is written and the exit code is 3)", false)
        .option("--prompt-field <name>", "input key for x", "prompt")
        .option("--response-field <name>", "input key for y", "response")
        .option("--id-field <name>", "input key for the id", "id")
        .option("--messages-field <name>", "input key for a chat transcript", "messages")
        .addHelpText("after", `
Example (a job run as --shard 0/3 .. 2/3 with -o out/traces.jsonl):
  reer merge pairs.jsonl out/traces.jsonl -o traces.merged.jsonl`)
        .action(async (input: string, traces: string[], flags: MergeFlags, self: Command) => {
            const files = [...new Set(traces.flatMap((trace) => {
                const found = findJobOutputs(trace);
                if (found.length === 0 && !existsSync(trace))
                    throw new ReerError("TRACE_NOT_FOUND", `No trace file or shard files found for ${trace}.`);
                return found.length > 0 ? found : [trace];
            }))];
            const output = OutputFile.check("-o", flags.output, { inputs: [input, ...files] });
            const records = await readRecords(input, {
                fields: { prompt: flags.promptField, response: flags.responseField, id: flags.idField, messages: flags.messagesField },
                offeredFlags: offeredFlags(self)
            });
            const keys = records.map((record) => itemKey(record));
            // A torn last line is a shard still being written (or killed): its item counts as missing.
            const sources = await Promise.all(files.map(async (file) => ({ file, records: await readTraceFile(file, { onTornTail: () => {} }) })));
            checkOneRun(sources);
            const result = mergeTraces(keys, sources);
            output.writeWhole(result.merged.map((record) => JSON.stringify(record) + "\n").join(""));

            const byStatus = { done: 0, skipped: 0, failed: 0 };
            for (const record of result.merged)
                byStatus[record.status]++;
            process.stderr.write(`merged ${files.length} file(s): ${result.merged.length} of ${keys.length} item(s) ` +
                `(${byStatus.done} done, ${byStatus.skipped} skipped, ${byStatus.failed} failed) -> ${flags.output}\n`);
            for (const duplicate of result.duplicates)
                process.stderr.write(`duplicate: ${duplicate.key} in ${duplicate.files.join(", ")}; kept the one in ${duplicate.kept}\n`);
            if (result.unknown.length > 0)
                process.stderr.write(`ignored ${result.unknown.length} record(s) of items not in ${input} (first: ${result.unknown[0]!.key} in ${result.unknown[0]!.file})\n`);
            if (result.missing.length > 0) {
                process.stderr.write(`missing ${result.missing.length} item(s): ${result.missing.slice(0, 20).join(", ")}${result.missing.length > 20 ? ", ..." : ""}\n` +
                    "  Run the shards that hold them again (they resume), then merge again.\n");
                if (!flags.allowMissing)
                    process.exitCode = ExitCode.partial;
            }
        });
}
