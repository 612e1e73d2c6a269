import { readFileSync } from "node:fs";
import type { z } from "zod";
import { ReerError } from "../errors/ReerError.js";

/** A setting given on the command line: where it goes in the config, and its value. */
export type ConfigOverride = { path: readonly string[]; value: unknown };

/** Reads a JSON config file; errors say which file and why. */
export function readJsonConfigFile(file: string, hint: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new ReerError("CONFIG_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
        return JSON.parse(text) as unknown;
    } catch (error) {
        throw new ReerError("INVALID_CONFIG", `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, hint);
    }
}

/**
 * The effective config: the schema's defaults, then the file's object, then the
 * command-line overrides, validated once so a bad value is reported the same way
 * wherever it came from, with the path of every offending field.
 */
export function resolveLayeredConfig<Schema extends z.ZodType>(
    schema: Schema, fileConfig: unknown, overrides: readonly ConfigOverride[], source: string, hint: string
): z.infer<Schema> {
    if (fileConfig != null && (typeof fileConfig !== "object" || Array.isArray(fileConfig)))
        throw new ReerError("INVALID_CONFIG", `${source} must be a JSON object.`, hint);
    const merged: Record<string, unknown> = structuredClone((fileConfig ?? {}) as Record<string, unknown>);
    for (const { path, value } of overrides)
        setPath(merged, path, value);
    const parsed = schema.safeParse(merged);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `  ${issue.path.length === 0 ? "(top level)" : issue.path.join(".")}: ${issue.message}`);
        throw new ReerError("INVALID_CONFIG", `${source}${overrides.length > 0 ? " (with flags applied)" : ""} is not a valid configuration:\n${problems.join("\n")}`, hint);
    }
    return parsed.data;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
    let node = target;
    for (const key of path.slice(0, -1)) {
        const child = node[key];
        if (child == null || typeof child !== "object" || Array.isArray(child))
            node[key] = {};
        node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
}
