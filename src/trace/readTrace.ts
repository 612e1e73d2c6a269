import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { ReerError } from "../errors/ReerError.js";
import { traceRecordSchema, type TraceRecord } from "./traceRecordSchema.js";

/**
 * A validated trace record, the 1-based line of the trace file it came from, and the
 * line's text as read: the schema drops keys it does not know, so output meant to keep
 * records unchanged writes `text`, not `record`.
 */
export type TraceLine = { line: number; record: TraceRecord; text: string };

export type ReadTraceOptions = {
    /**
     * Called instead of failing when the last line is not valid JSON and the file does
     * not end with a newline: a write cut short by a killed or still-running synthesize.
     */
    onTornTail?: (line: number) => void;
};

/**
 * Streams a `reer synthesize` trace file (JSONL; blank lines ignored), validating each
 * line with traceRecordSchema. A bad line stops the read with its line number and the
 * first problem, since curated data built from a half-understood file would be wrong.
 */
export async function* readTraceLines(file: string, options: ReadTraceOptions = {}): AsyncGenerator<TraceLine> {
    const endsWithNewline = await lastByteIsNewline(file);
    const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
    let lineNumber = 0;
    // One line of look-ahead, so the last line can be told apart from the others.
    let pending: { text: string; line: number } | undefined;
    try {
        for await (const text of lines) {
            lineNumber++;
            const previous = pending == null ? undefined : parseTraceLine(file, pending.text, pending.line, false, options);
            if (previous != null)
                yield previous;
            pending = { text, line: lineNumber };
        }
        if (pending != null) {
            const record = parseTraceLine(file, pending.text, pending.line, !endsWithNewline, options);
            if (record != null)
                yield record;
        }
    } catch (error) {
        if (error instanceof ReerError)
            throw error;
        throw unreadable(file, error);
    } finally {
        lines.close();
    }
}

/** Reads a whole trace file into memory (see readTraceLines). */
export async function readTraceFile(file: string, options: ReadTraceOptions = {}): Promise<TraceRecord[]> {
    const records: TraceRecord[] = [];
    for await (const { record } of readTraceLines(file, options))
        records.push(record);
    return records;
}

/** The validated record, or undefined for a blank line or a tolerated torn tail. */
function parseTraceLine(file: string, text: string, line: number, mayBeTorn: boolean, options: ReadTraceOptions): TraceLine | undefined {
    if (text.trim() === "")
        return undefined;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        if (mayBeTorn && options.onTornTail != null) {
            options.onTornTail(line);
            return undefined;
        }
        throw invalidLine(file, line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const parsed = traceRecordSchema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const where = issue.path.length > 0 ? `field "${issue.path.join(".")}": ` : "";
        throw invalidLine(file, line, `not a reer trace record: ${where}${issue.message}`);
    }
    return { line, record: parsed.data, text };
}

function invalidLine(file: string, line: number, detail: string): ReerError {
    return new ReerError("TRACE_INVALID", `${file} line ${line}: ${detail}`,
        "Pass the JSONL file written by `reer synthesize` (or by `reer curate`), or repair or remove this line.");
}

export async function lastByteIsNewline(file: string): Promise<boolean> {
    let handle;
    try {
        handle = await open(file, "r");
    } catch (error) {
        throw unreadable(file, error);
    }
    try {
        const { size } = await handle.stat();
        if (size === 0)
            return true;
        const buffer = Buffer.alloc(1);
        await handle.read(buffer, 0, 1, size - 1);
        return buffer[0] === 0x0a;
    } finally {
        await handle.close();
    }
}

/** A missing trace and an unreadable one are different mistakes with different fixes. */
function unreadable(file: string, error: unknown): ReerError {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return new ReerError("TRACE_NOT_FOUND", `No trace file at ${file}.`, "Pass the JSONL that `reer synthesize -o` wrote.");
    return new ReerError("TRACE_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
}
