import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileAtomic } from "../io/writeFileAtomic.js";
import type { ChatMessage } from "./chatRows.js";

/** One Parquet row: the messages format, plus prompt and completion as plain columns for quick viewing. */
export type ParquetRow = { id: string; prompt: string; completion: string; messages: ChatMessage[] };

/** Writes rows to a Parquet file in one step (see encodeParquetRows and writeFileAtomic). */
export function writeParquetRows(file: string, rows: readonly ParquetRow[]): void {
    writeFileAtomic(file, encodeParquetRows(rows));
}

/**
 * Encodes rows as a Parquet file in memory: id, prompt, completion as strings and messages
 * as a standard three-level LIST of {role, content} structs, which `datasets` and pyarrow
 * read as list<struct<role: string, content: string>>, the same as the messages JSONL.
 */
export function encodeParquetRows(rows: readonly ParquetRow[]): Uint8Array {
    const text = (name: string) => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" }) as const;
    return new Uint8Array(parquetWriteBuffer({
        columnData: [
            { name: "id", data: rows.map((row) => row.id) },
            { name: "prompt", data: rows.map((row) => row.prompt) },
            { name: "completion", data: rows.map((row) => row.completion) },
            { name: "messages", data: rows.map((row) => row.messages) }
        ],
        schema: [
            { name: "root", num_children: 4 },
            text("id"),
            text("prompt"),
            text("completion"),
            { name: "messages", repetition_type: "REQUIRED", converted_type: "LIST", num_children: 1 },
            { name: "list", repetition_type: "REPEATED", num_children: 1 },
            { name: "element", repetition_type: "REQUIRED", num_children: 2 },
            text("role"),
            text("content")
        ],
        createdBy: "reer export"
    }));
}
