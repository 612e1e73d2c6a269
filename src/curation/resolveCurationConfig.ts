import { readFile } from "node:fs/promises";
import { ReerError } from "../errors/ReerError.js";
import { curationConfigSchema, type CurationConfig } from "./curationConfig.js";

/** A setting given on the command line: where it goes in the config, and its value. */
export type ConfigOverride = { path: readonly string[]; value: unknown };

/**
 * The effective curation config: defaults, then the JSON file (if any), then flags.
 * Overrides are merged into the file's object before one validation, so a bad value is
 * reported the same way whether it came from the file or a flag.
 */
export function resolveCurationConfig(fileConfig: unknown, overrides: readonly ConfigOverride[], source = "the curation config"): CurationConfig {
    if (fileConfig != null && (typeof fileConfig !== "object" || Array.isArray(fileConfig)))
        throw new ReerError("INVALID_CONFIG", `${source} must be a JSON object.`, curationConfigHint);
    const merged: Record<string, unknown> = structuredClone((fileConfig ?? {}) as Record<string, unknown>);
    for (const { path, value } of overrides)
        setPath(merged, path, value);
    const parsed = curationConfigSchema.safeParse(merged);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? "(top level)" : issue.path.join(".")}: ${issue.message}`);
        throw new ReerError("INVALID_CONFIG", `${source} (with flags applied) is invalid: ${problems.join("; ")}`, curationConfigHint);
    }
    return parsed.data;
}

export async function readCurationConfigFile(file: string): Promise<unknown> {
    let text: string;
    try {
        text = await readFile(file, "utf8");
    } catch (error) {
        throw new ReerError("CONFIG_UNREADABLE", `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
        return JSON.parse(text) as unknown;
    } catch (error) {
        throw new ReerError("INVALID_CONFIG", `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, curationConfigHint);
    }
}

const curationConfigHint = "Run `reer curate --print-config` for the full shape with the defaults; any part may be left out.";

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
