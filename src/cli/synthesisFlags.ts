import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { z } from "zod";
import { synthesisConfigSchema, type SynthesisConfig } from "../config/synthesisConfig.js";
import { ReerError } from "../errors/ReerError.js";

/** Flag name -> where it lands in the config. Only flags given on the command line override the file. */
const flagPaths: Record<string, (string)[]> = {
    seed: ["seed"],
    parallel: ["parallel"],
    candidateMode: ["candidateMode"],
    maxTokens: ["sampling", "maxTokens"],
    temperature: ["sampling", "temperature"],
    topP: ["sampling", "topP"],
    topK: ["sampling", "topK"],
    candidates: ["search", "candidates"],
    maxSteps: ["search", "maxSteps"],
    stopThreshold: ["search", "stopThreshold"],
    passes: ["search", "passes"],
    patience: ["search", "patience"],
    minImprovement: ["search", "minImprovement"],
    objective: ["search", "objective"],
    clip: ["search", "clipFloor"],
    minThinkingTokens: ["search", "minThinkingTokens"],
    generatorTemplate: ["generatorTemplate"],
    template: ["scorerTemplate"],
    promptField: ["fields", "prompt"],
    responseField: ["fields", "response"],
    idField: ["fields", "id"],
    messagesField: ["fields", "messages"]
};

function formatZodError(error: z.ZodError, source: string): ReerError {
    const lines = error.issues.map((issue) => `  ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    return new ReerError("INVALID_CONFIG", `${source} is not a valid reer configuration:\n${lines.join("\n")}`,
        "Run `reer synthesize --dry-run ...` to print a valid effective configuration to start from.");
}

/** The effective config: defaults (the paper preset) < --config file < command-line flags. */
export function resolveSynthesisConfig(command: Command, flags: Record<string, unknown>): SynthesisConfig {
    let fromFile: Record<string, unknown> = {};
    const configFile = flags.config as string | undefined;
    if (configFile != null) {
        let text: string;
        try {
            text = readFileSync(configFile, "utf8");
        } catch (error) {
            throw new ReerError("CONFIG_UNREADABLE", `Cannot read --config ${configFile}: ${error instanceof Error ? error.message : String(error)}`);
        }
        try {
            fromFile = JSON.parse(text) as Record<string, unknown>;
        } catch (error) {
            throw new ReerError("INVALID_CONFIG", `--config ${configFile} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
        }
        const checked = synthesisConfigSchema.safeParse(fromFile);
        if (!checked.success)
            throw formatZodError(checked.error, `--config ${configFile}`);
    }
    const merged: Record<string, unknown> = structuredClone(fromFile);
    for (const [flag, path] of Object.entries(flagPaths)) {
        if (command.getOptionValueSource(flag) !== "cli")
            continue;
        let target = merged;
        for (const key of path.slice(0, -1)) {
            target[key] ??= {};
            target = target[key] as Record<string, unknown>;
        }
        target[path.at(-1)!] = flags[flag];
    }
    const parsed = synthesisConfigSchema.safeParse(merged);
    if (!parsed.success)
        throw formatZodError(parsed.error, "The command-line settings");
    return parsed.data;
}
