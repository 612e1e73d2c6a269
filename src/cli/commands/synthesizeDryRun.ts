import { withNeutralSettings } from "../../config/neutralSettings.js";
import type { SynthesisConfig } from "../../config/synthesisConfig.js";
import type { InputRecord } from "../../io/readRecords.js";
import type { LoadedModel } from "../../model/LoadedModel.js";
import type { PromptSet } from "../../prompts/PromptSet.js";
import { toSynthesisItem } from "../../synthesis/SynthesisItem.js";
import { validateRun } from "../../synthesis/validateRun.js";

/**
 * `--dry-run`: runs the same validation as a real run, then prints the effective config
 * on stdout exactly as `--config` accepts it, and what the run would use and cost on
 * stderr. Creates no output.
 */
export function printDryRun(options: {
    config: SynthesisConfig; records: InputRecord[]; generatorModel: LoadedModel; scorerModel: LoadedModel;
    prompts: PromptSet; threads: number; threadsReason?: string; output: string; maxContextSize?: number; adaptToModels?: { explicit: ReadonlySet<string>; preset?: "auto" | "small" };
}): void {
    const { records, scorerModel } = options;
    const { caps, config, adaptations } = validateRun({
        config: options.config, generatorModel: options.generatorModel, scorerModel, prompts: options.prompts,
        items: records.map((record) => toSynthesisItem(record, options.config.answerAfterThink)),
        ...(options.maxContextSize == null ? {} : { maxContextSize: options.maxContextSize }),
        ...(options.adaptToModels == null ? {} : { adaptToModels: options.adaptToModels })
    });
    const count = (text: string) => scorerModel.guard.findUnencodable(text).length > 0 ? Math.ceil(text.length / 4) : scorerModel.tokenizeText(text, "the input", false).length;
    const xTokens = records.map((record) => count(record.prompt));
    const yTokens = records.map((record) => count(record.response));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const steps = config.search.maxSteps * config.search.passes * config.search.candidates;
    const callsPerItem = config.search.initialDrafts + steps;
    // Every setting written out, off ones included, so the saved file runs the same under any preset.
    process.stdout.write(JSON.stringify(withNeutralSettings(config), null, 2) + "\n");
    process.stderr.write([
        `the config above is valid for these models and prompts; save it and pass it with --config to run it`,
        `generator: ${options.generatorModel.identity.path}`,
        `scorer: ${scorerModel.identity.path}`,
        `prompts: ${options.prompts.dir}; threads: ${options.threads}${options.threadsReason == null || options.threadsReason === "--threads" ? "" : ` (${options.threadsReason})`}; output: ${options.output}`,
        `context caps: generator ${caps.generator}, scorer ${caps.scorer} tokens`,
        ...adaptations.map((line) => `adapted to the models: ${line}`),
        `items: ${records.length}`,
        `x tokens: total ${sum(xTokens)}, max ${Math.max(0, ...xTokens)}`,
        `y tokens: total ${sum(yTokens)}, max ${Math.max(0, ...yTokens)}`,
        `generator calls per item: at most ${callsPerItem} (${config.search.initialDrafts} initial + ${config.search.maxSteps} steps x ${config.search.passes} pass(es) x ${config.search.candidates} candidates)`,
        `generated tokens: at most ${callsPerItem * config.sampling.maxTokens} per item, ${records.length * callsPerItem * config.sampling.maxTokens} in all`,
        `scoring calls per item: at most ${config.search.initialDrafts + 1 + steps}`
    ].join("\n") + "\n");
}
