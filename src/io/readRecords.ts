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
    let text: string;
    try {
        text = await readFile(file, "utf8");
    } catch (error) {
        throw new ReerError("INPUT_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const schema = recordSchema(fields);
    const records: InputRecord[] = [];
    const offers = (flag: string) => options.offeredFlags == null || options.offeredFlags.has(flag);
    /** "Fix the record, pass --skip-invalid, or ...": what this command lets the user do about a bad record. */
    const hint = (...more: string[]) => {
        const ways = ["fix the record", ...(offers("--skip-invalid") ? ["pass --skip-invalid to skip it and count it"] : []), ...more];
        const text = ways.length === 1 ? ways[0]! : `${ways.slice(0, -1).join(", ")}${ways.length > 2 ? "," : ""} or ${ways.at(-1)!}`;
        return text.charAt(0).toUpperCase() + text.slice(1) + ".";
    };
    /** The flag that names the key of a field, when the command has one (--prompt-field for x, and so on). */
    const fieldFlag = (field: string | undefined): string | undefined => {
        const role = (Object.keys(fields) as (keyof FieldNames)[]).find((key) => fields[key] === field);
        return role != null && offers(`--${role}-field`) ? `--${role}-field` : undefined;
    };
    const fail = (error: InvalidInputError): void => {
        if (options.skipInvalid !== true)
            throw error;
        options.onInvalid?.(error);
    };

    const accept = (value: unknown, line: number): void => {
        const parsed = schema.safeParse(fromMessages(value, fields));
        if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
            // zod leaves issue.input out, so look at the value itself: absent, or there with the wrong type.
            const record = fromMessages(value, fields);
            const given = field != null && record != null && typeof record === "object" ? (record as Record<string, unknown>)[field] : undefined;
            const missing = issue.code === "invalid_type" && given === undefined;
            const detail = issue.code === "invalid_type" && issue.path.length === 0
                ? `the record must be a JSON object, not ${jsonTypeOf(value)}`
                : missing ? `"${field}" is missing`
                    : issue.code === "invalid_type" ? `${issue.message}, not ${jsonTypeOf(given)}${given === null ? "" : ` (${shortJson(given)})`}` : issue.message;
            const flag = missing ? fieldFlag(field) : undefined;
            fail(new InvalidInputError(file, line, field, detail,
                hint(...(flag == null ? [] : [`name the key that holds it with ${flag}`]))));
            return;
        }
        const data = parsed.data as Record<string, unknown>;
        const id = data[fields.id];
        const thinking = data[fields.thinking] as string | undefined;
        records.push({
            line,
            ...(id == null ? {} : { id: String(id) }),
            prompt: data[fields.prompt] as string,
            response: data[fields.response] as string,
            ...(thinking == null ? {} : { thinking })
        });
    };

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
        array.forEach((value, index) => accept(value, index + 1));
        return records;
    }

    const lines = text.split("\n");
    lines.forEach((raw, index) => {
        const line = raw.trim();
        if (line === "")
            return;
        let value: unknown;
        try {
            value = JSON.parse(line);
        } catch (error) {
            fail(new InvalidInputError(file, index + 1, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`, hint()));
            return;
        }
        accept(value, index + 1);
    });
    return records;
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
