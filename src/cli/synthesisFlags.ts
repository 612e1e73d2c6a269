import type { Command } from "commander";
import { readJsonConfigFile, resolveLayeredConfig, type ConfigOverride } from "../config/layeredConfig.js";
import { synthesisConfigSchema, type SynthesisConfig } from "../config/synthesisConfig.js";

/** Flag name -> where it lands in the config. Only flags given on the command line override the file. */
const flagPaths: Record<string, string[]> = {
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
    acceptUnclosedRewrite: ["search", "acceptUnclosedRewrite"],
    maxThinkingTokens: ["search", "maxThinkingTokens"],
    initialDrafts: ["search", "initialDrafts"],
    answerAfterThink: ["answerAfterThink"],
    generatorTemplate: ["generatorTemplate"],
    template: ["scorerTemplate"],
    promptField: ["fields", "prompt"],
    responseField: ["fields", "response"],
    idField: ["fields", "id"],
    messagesField: ["fields", "messages"]
};

const synthesisConfigHint = "Run `reer synthesize --dry-run ...` to print a valid effective configuration to start from.";

/** The effective config: defaults (the paper preset) < --config file < command-line flags. */
export function resolveSynthesisConfig(command: Command, flags: Record<string, unknown>): SynthesisConfig {
    const configFile = flags.config as string | undefined;
    const fileConfig = configFile == null ? undefined : readJsonConfigFile(configFile, synthesisConfigHint);
    const overrides: ConfigOverride[] = Object.entries(flagPaths)
        .filter(([flag]) => command.getOptionValueSource(flag) === "cli")
        .map(([flag, path]) => ({ path, value: flags[flag] }));
    return resolveLayeredConfig(synthesisConfigSchema, fileConfig, overrides, configFile == null ? "The command-line settings" : `--config ${configFile}`, synthesisConfigHint);
}
