import { readFileSync } from "node:fs";
import { InvalidInputError } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";
import { evaluationSchema, type Evaluation } from "./evaluationSchema.js";

const HINT = "Pass the file written by `reer evaluate TRACE --json -o FILE` (the table printed without --json is for reading, not for the report).";

/**
 * Reads an evaluation written by `reer evaluate --json`, validated with its schema. A
 * problem names the file and the field (and the line, for a JSON syntax error), since a
 * report drawn from a half-understood file would show wrong numbers.
 */
export function readEvaluationFile(file: string): Evaluation {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new ReerError("INPUT_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, HINT);
    }
    return parseEvaluation(text, file);
}

/** The evaluation in `text` (the JSON of `reer evaluate --json`); `source` names it in errors. */
export function parseEvaluation(text: string, source: string): Evaluation {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        throw new InvalidInputError(source, lineOfSyntaxError(text, detail), undefined, `not valid JSON (${detail})`, HINT);
    }
    const parsed = evaluationSchema.safeParse(value);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.length === 0 ? undefined : issue.path.map(String).join(".");
        const item = itemIdAt(value, issue.path);
        throw new InvalidInputError(source, undefined, field,
            `not a reer evaluation: ${issue.message}${item == null ? "" : ` (item ${JSON.stringify(item)})`}`, HINT);
    }
    return parsed.data;
}

/** V8 reports a JSON syntax error by character position; people look for a line. */
function lineOfSyntaxError(text: string, detail: string): number | undefined {
    const line = /\bline (\d+)/u.exec(detail);
    if (line != null)
        return Number(line[1]);
    const position = /\bposition (\d+)/u.exec(detail);
    if (position == null)
        return undefined;
    return text.slice(0, Number(position[1])).split("\n").length;
}

/** The id of the item an issue is about, when its path runs through items[i] and that item has a string id. */
function itemIdAt(value: unknown, path: readonly PropertyKey[]): string | undefined {
    if (path[0] !== "items" || typeof path[1] !== "number")
        return undefined;
    const items = (value as { items?: unknown }).items;
    const item = Array.isArray(items) ? (items[path[1]] as { id?: unknown } | undefined) : undefined;
    return typeof item?.id === "string" ? item.id : undefined;
}
