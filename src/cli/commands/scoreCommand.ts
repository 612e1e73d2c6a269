import { Command, Option } from "commander";
import type { InvalidInputError } from "../../errors/inputErrors.js";
import { JsonlWriter } from "../../io/JsonlWriter.js";
import { readRecords } from "../../io/readRecords.js";
import { PromptSet } from "../../prompts/PromptSet.js";
import { scoreRecords } from "../../scoring/scoreRecords.js";
import type { ScoringTemplateName } from "../../scoring/ScoringLayout.js";
import { addModelOptions, loadModelFromFlags, resolveThreads, stockPathWarning, type ModelFlags } from "../modelOptions.js";
import { negativeNumber } from "../parseOptions.js";

type ScoreFlags = ModelFlags & {
    output?: string;
    template: ScoringTemplateName;
    prompts?: string;
    splitHead: boolean;
    clip: number;
    emitTokens: boolean;
    skipInvalid: boolean;
    promptField: string;
    responseField: string;
    thinkingField: string;
    idField: string;
    path?: "fast" | "stock";
};

export function scoreCommand(): Command {
    const command = new Command("score")
        .description("Score PPL(y | x, z) for each record: teacher-forced log-probabilities of the response given the prompt and thinking.")
        .argument("<input>", "JSONL file (one object per line) or a JSON array of objects with prompt, response and optional thinking")
        .option("-o, --output <file>", "write JSONL results here (default: stdout)")
        .addOption(new Option("--template <name>", "paper: the scorer's chat template with <think>/<answer> and an unscored head of y; none: plain text x, z, then y")
            .choices(["paper", "none"]).default("paper"))
        .option("--prompts <dir>", "folder with your own prompt templates (en/ and zh/ with system.txt and score.txt)")
        .option("--split-head", "with --template none, leave y's first segment unscored as the paper preset does", false)
        .option("--clip <floor>", "clip per-token log-probabilities at this floor for clippedMeanNll", negativeNumber, -2)
        .option("--emit-tokens", "add contextTokens, scoredTokens and tokenLogprobs to each result", false)
        .option("--skip-invalid", "skip records that are invalid or cannot be scored, and report how many", false)
        .option("--prompt-field <name>", "input key holding x", "prompt")
        .option("--response-field <name>", "input key holding y", "response")
        .option("--thinking-field <name>", "input key holding z", "thinking")
        .option("--id-field <name>", "input key holding the record id", "id")
        .addOption(new Option("--path <path>", "force the scoring path (for comparisons)").choices(["fast", "stock"]).hideHelp())
        .addHelpText("after", `
Output: one JSON line per record, in input order:
  {"id", "line", "tokenCount", "sumLogprob", "meanNll", "ppl", "clippedMeanNll", "evaluatedTokens", "reusedTokens"}
  plus "contextTokens", "scoredTokens" and "tokenLogprobs" with --emit-tokens (the exact token ids the model saw, context first).

Examples:
  reer score pairs.jsonl --model models/qwen2.5-0.5b-instruct-q8_0.gguf -o scores.jsonl
  reer score pairs.jsonl --model ../shared/models/stories260K.gguf --template none --threads 1`);
    addModelOptions(command);
    return command.action(async (input: string, flags: ScoreFlags) => {
        const invalid: InvalidInputError[] = [];
        const records = await readRecords(input, {
            fields: { prompt: flags.promptField, response: flags.responseField, thinking: flags.thinkingField, id: flags.idField },
            skipInvalid: flags.skipInvalid,
            onInvalid: (error) => invalid.push(error)
        });
        const model = await loadModelFromFlags(flags);
        if (!model.runtime.hasFastScoring && flags.path !== "stock")
            process.stderr.write(stockPathWarning);
        const writer = new JsonlWriter(flags.output);
        try {
            const summary = await scoreRecords(model, records, {
                template: flags.template,
                ...(flags.prompts == null ? {} : { prompts: new PromptSet(flags.prompts) }),
                splitHead: flags.splitHead,
                threads: resolveThreads(flags, model),
                ...(flags.contextSize == null ? {} : { maxContextSize: flags.contextSize }),
                ...(flags.batchSize == null ? {} : { batchSize: flags.batchSize }),
                flashAttention: flags.flashAttention,
                kvCacheType: flags.kvCacheType,
                clipFloor: flags.clip,
                emitTokens: flags.emitTokens,
                skipInvalid: flags.skipInvalid,
                ...(flags.path == null ? {} : { path: flags.path })
            }, (result) => writer.write(result));
            const skipped = invalid.length + summary.skipped.length;
            for (const failure of [...invalid, ...summary.skipped.map((item) => item.error)])
                process.stderr.write(`skipped: ${failure.message}\n`);
            process.stderr.write(`scored ${summary.scored} record(s)${skipped > 0 ? `, skipped ${skipped} invalid` : ""}; ` +
                `${summary.evaluatedTokens} tokens evaluated, ${summary.reusedTokens} reused; context ${summary.contextSize}, ${summary.path} path\n`);
        } finally {
            await writer.close();
            await model.dispose();
        }
    });
}

