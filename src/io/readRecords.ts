import { readFile } from "node:fs/promises";
import { z } from "zod";
import { InvalidInputError } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";

/** Which keys of an input object hold x, y, z and the id. */
export type FieldNames = { prompt: string; response: string; thinking: string; id: string; messages: string };
export const defaultFieldNames: FieldNames = { prompt: "prompt", response: "response", thinking: "thinking", id: "id", messages: "messages" };

/** One validated input pair. `line` is 1-based (JSONL line, or array position for a JSON array). */
export type InputRecord = {
    line: number;
    id?: string;
    prompt: string;
    response: string;
    thinking?: string;
};

export type ReadRecordsOptions = {
    fields?: Partial<FieldNames>;
    /** Skip invalid records instead of failing on the first; they are reported through onInvalid. */
    skipInvalid?: boolean;
    onInvalid?: (error: InvalidInputError) => void;
    /**
     * The long flags of the command reading the file: hints suggest only these (for
     * example no --skip-invalid where the command has none). All, when not given.
     */
    offeredFlags?: ReadonlySet<string>;
};

const messagesSchema = z.array(z.object({ role: z.string(), content: z.string() }), { error: "must be an array of {role, content} messages" });

/** A chat transcript gives x = the last user turn before the last assistant turn, y = that assistant turn. */
function fromMessages(value: unknown, fields: FieldNames): unknown {
    if (value == null || typeof value !== "object" || Array.isArray(value))
        return value;
    const record = value as Record<string, unknown>;
    if (record[fields.prompt] != null || record[fields.messages] == null)
        return value;
    const parsed = messagesSchema.safeParse(record[fields.messages]);
    if (!parsed.success)
        return value;
    const messages = parsed.data;
    const answerIndex = messages.findLastIndex((message) => message.role === "assistant");
    const requestIndex = messages.slice(0, Math.max(0, answerIndex)).findLastIndex((message) => message.role === "user");
    return {
        ...record,
        ...(requestIndex < 0 ? {} : { [fields.prompt]: messages[requestIndex]!.content }),
        ...(answerIndex < 0 ? {} : { [fields.response]: messages[answerIndex]!.content })
    };
}

function recordSchema(fields: FieldNames) {
    const text = (name: string) => z.string({ error: `"${name}" must be a string` }).refine((value) => value.trim() !== "", `"${name}" is empty`);
    return z.object({
        [fields.prompt]: text(fields.prompt),
        [fields.response]: text(fields.response),
        [fields.thinking]: z.string({ error: `"${fields.thinking}" must be a string when present` }).optional(),
        [fields.id]: z.union([z.string(), z.number()], { error: `"${fields.id}" must be a string or a number when present` }).optional()
    });
}

/**
 * Reads JSONL (one object per line; blank lines ignored) or a JSON array of objects,
 * validating each record at the boundary. Errors name the line and the field.
 */
export async function readRecords(file: string, options: ReadRecordsOptions = {}): Promise<InputRecord[]> {
    const fields: FieldNames = { ...defaultFieldNames, ...options.fields };
    const text = await readInputText(file);
    const reading: Reading = { file, fields, schema: recordSchema(fields), advice: adviceFor(fields, options.offeredFlags) };
    const records: InputRecord[] = [];
    for (const entry of inputValues(file, text, reading.advice)) {
        const result = entry.error ?? toInputRecord(entry.value, entry.line, reading);
        if (result instanceof InvalidInputError) {
            if (options.skipInvalid !== true)
                throw result;
            options.onInvalid?.(result);
            continue;
        }
        records.push(result);
    }
    return records;
}

async function readInputText(file: string): Promise<string> {
    try {
        return await readFile(file, "utf8");
    } catch (error) {
        throw new ReerError("INPUT_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
}

/** What the command lets the user do about a bad record, in words. */
type Advice = {
    /** "Fix the record, pass --skip-invalid ..., or <more>." */
    hint: (...more: string[]) => string;
    /** The flag that names the key of a field, when the command has one (--prompt-field for x, and so on). */
    fieldFlag: (field: string | undefined) => string | undefined;
};

function adviceFor(fields: FieldNames, offeredFlags: ReadonlySet<string> | undefined): Advice {
    const offers = (flag: string) => offeredFlags == null || offeredFlags.has(flag);
    return {
        hint: (...more) => {
            const ways = ["fix the record", ...(offers("--skip-invalid") ? ["pass --skip-invalid to skip it and count it"] : []), ...more];
            const text = ways.length === 1 ? ways[0]! : `${ways.slice(0, -1).join(", ")}${ways.length > 2 ? "," : ""} or ${ways.at(-1)!}`;
            return text.charAt(0).toUpperCase() + text.slice(1) + ".";
        },
        fieldFlag: (field) => {
            const role = (Object.keys(fields) as (keyof FieldNames)[]).find((key) => fields[key] === field);
            return role != null && offers(`--${role}-field`) ? `--${role}-field` : undefined;
        }
    };
}

type InputValue = { value: unknown; line: number; error?: undefined } | { error: InvalidInputError; value?: undefined; line?: undefined };

/**
 * The values of a JSON array (a file that is not one whole array is an error for the whole
 * file) or of the lines of a JSONL file (a line that is not JSON is an error for that line).
 */
function* inputValues(file: string, text: string, advice: Advice): Generator<InputValue> {
    if (text.trimStart().startsWith("[")) {
        let array: unknown;
        try {
            array = JSON.parse(text);
        } catch (error) {
            throw new InvalidInputError(file, undefined, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
                "A JSON input must be one array of objects; use JSONL (one object per line) for large inputs.");
        }
        if (!Array.isArray(array))
            throw new InvalidInputError(file, undefined, undefined, "expected a JSON array of objects", "Give one JSON array of objects, or JSONL (one object per line).");
        yield* array.map((value, index) => ({ value, line: index + 1 }));
        return;
    }
    for (const [index, raw] of text.split("\n").entries()) {
        const line = raw.trim();
        if (line === "")
            continue;
        try {
            yield { value: JSON.parse(line) as unknown, line: index + 1 };
        } catch (error) {
            yield { error: new InvalidInputError(file, index + 1, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, advice.hint()) };
        }
    }
}

type Reading = { file: string; fields: FieldNames; schema: ReturnType<typeof recordSchema>; advice: Advice };

/** One value as an input record, or the error that names its line, field and what to do. */
function toInputRecord(value: unknown, line: number, reading: Reading): InputRecord | InvalidInputError {
    const { fields } = reading;
    const record = fromMessages(value, fields);
    const parsed = reading.schema.safeParse(record);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
        // zod leaves issue.input out, so look at the value itself: absent, or there with the wrong type.
        const given = field != null && record != null && typeof record === "object" ? (record as Record<string, unknown>)[field] : undefined;
        const missing = issue.code === "invalid_type" && given === undefined;
        const detail = issue.code === "invalid_type" && issue.path.length === 0
            ? `the record must be a JSON object, not ${jsonTypeOf(value)}`
            : missing ? `"${field}" is missing`
                : issue.code === "invalid_type" ? `${issue.message}, not ${jsonTypeOf(given)}${given === null ? "" : ` (${shortJson(given)})`}` : issue.message;
        const flag = missing ? reading.advice.fieldFlag(field) : undefined;
        return new InvalidInputError(reading.file, line, field, detail, reading.advice.hint(...(flag == null ? [] : [`name the key that holds it with ${flag}`])));
    }
    const data = parsed.data as Record<string, unknown>;
    const id = data[fields.id];
    const thinking = data[fields.thinking] as string | undefined;
    return {
        line,
        ...(id == null ? {} : { id: String(id) }),
        prompt: data[fields.prompt] as string,
        response: data[fields.response] as string,
        ...(thinking == null ? {} : { thinking })
    };
}

/** "a number", "null", "an array": how a JSON value's type reads in a message. */
function jsonTypeOf(value: unknown): string {
    if (value === null)
        return "null";
    if (Array.isArray(value))
        return "an array";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function shortJson(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
