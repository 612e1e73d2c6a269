import type { SynthesisConfig } from "../../config/synthesisConfig.js";
import type { InputRecord } from "../../io/readRecords.js";
import type { LoadedModel } from "../../model/LoadedModel.js";
import type { PromptSet } from "../../prompts/PromptSet.js";

/** Prints the effective config and an upper bound of the work, without running models. */
export function printDryRun(options: {
    config: SynthesisConfig; records: InputRecord[]; generatorModel: LoadedModel; scorerModel: LoadedModel;
    prompts: PromptSet; threads: number; output: string;
}): void {
    const { config, records, scorerModel } = options;
    const count = (text: string) => scorerModel.guard.findUnencodable(text).length > 0 ? Math.ceil(text.length / 4) : scorerModel.tokenizeText(text, "the input", false).length;
    const xTokens = records.map((record) => count(record.prompt));
    const yTokens = records.map((record) => count(record.response));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const callsPerItem = 1 + config.search.maxSteps * config.search.passes * config.search.candidates;
    const effective = {
        config,
        models: { generator: options.generatorModel.identity, scorer: options.scorerModel.identity },
        prompts: options.prompts.dir,
        threads: options.threads,
        output: options.output
    };
    process.stdout.write(JSON.stringify(effective, null, 2) + "\n");
    process.stdout.write([
        `items: ${records.length}`,
        `x tokens: total ${sum(xTokens)}, max ${Math.max(0, ...xTokens)}`,
        `y tokens: total ${sum(yTokens)}, max ${Math.max(0, ...yTokens)}`,
        `generator calls per item: at most ${callsPerItem} (1 initial + ${config.search.maxSteps} steps x ${config.search.passes} pass(es) x ${config.search.candidates} candidates)`,
        `generated tokens: at most ${callsPerItem * config.sampling.maxTokens} per item, ${records.length * callsPerItem * config.sampling.maxTokens} in all`,
        `scoring calls per item: at most ${2 + config.search.maxSteps * config.search.passes * config.search.candidates}`
    ].join("\n") + "\n");
}
