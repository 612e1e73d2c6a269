import { ReerError } from "../errors/ReerError.js";

/**
 * Output formats of `reer export`. All JSONL formats follow the Hugging Face `datasets`
 * JSON loader's conventions: one object per line with the same keys on every line.
 */
export const exportFormats = ["messages", "sharegpt", "completion", "preference", "parquet"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/**
 * An explicit --format, or else the output's extension: .parquet means Parquet, anything
 * else chat messages. A format and an extension that disagree are refused either way round.
 */
export function resolveExportFormat(format: string | undefined, output: string | undefined): ExportFormat {
    const parquetFile = output != null && /\.parquet$/iu.test(output);
    if (format == null)
        return parquetFile ? "parquet" : "messages";
    if (!(exportFormats as readonly string[]).includes(format))
        throw new ReerError("INVALID_FORMAT", `Unknown export format "${format}".`, `Use one of ${exportFormats.join(", ")}.`);
    const chosen = format as ExportFormat;
    if (parquetFile && chosen !== "parquet")
        throw new ReerError("INVALID_FORMAT", `${output} ends in .parquet but --format is ${chosen}, which writes JSONL.`,
            "Drop --format (the extension selects Parquet), or name the output .jsonl.");
    if (chosen === "parquet" && output == null)
        throw new ReerError("MISSING_ARGUMENT", "Parquet is a binary format and needs an output file.", "Pass -o <file.parquet>.");
    if (chosen === "parquet" && !parquetFile)
        throw new ReerError("INVALID_FORMAT", `--format parquet writes Parquet, but ${output} does not end in .parquet.`,
            "Name the output <file>.parquet, or choose a JSONL format (messages, sharegpt, completion, preference).");
    return chosen;
}
