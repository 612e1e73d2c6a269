/**
 * What a generated token costs. Prints two sets of ratios, each measured in this run:
 *
 * 1. Sampling: time per token with the paper's sampler (top-p 0.85, no top-k) relative to
 *    greedy decoding (which sorts nothing), at a flat and at a peaked temperature. With a
 *    whole-vocabulary top-k in the chain (stock node-llama-cpp for top-k 0), every token
 *    pays a full sort of the vocabulary; without it, llama.cpp's top-p sorts only the head
 *    of a peaked distribution.
 *    The output's first line says how peaked the model's next-token distributions are (their
 *    measured entropy): a random-weight model's are flat (the head top-p keeps is most of the
 *    vocabulary), a trained model's have a few nats; `npm run bench:model -- --peaked` writes a
 *    random-weight model of the second kind.
 * 2. Batching: aggregate tokens/s when 1, 2 or 4 sequences decode in one batch, relative to
 *    one sequence. This is what `--candidate-mode auto` decides on: where the ratio stays
 *    near 1, as on a small CPU, concurrent candidates gain nothing.
 *
 *   npm run bench:generation -- [--model models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf] [--threads N] [--tokens 48] [--gpu off|auto|cuda|vulkan|metal]
 */
import { parseArgs } from "node:util";
import { GenerationContext } from "../src/generation/GenerationContext.js";
import { describeEntropy, nextTokenEntropy } from "./bench-model/nextTokenEntropy.js";
import { loadBenchModel, modelArgOptions } from "./bench/harness.js";

const { values: args } = parseArgs({
    options: {
        ...modelArgOptions,
        tokens: { type: "string", default: "48" }
    }
});

const { model, threads } = await loadBenchModel(args);
const tokens = Number(args.tokens);
console.log(`model ${model.identity.name}, ${model.runtime.describe()}, threads ${threads}, ${tokens} tokens per setting`);
const generator = await GenerationContext.create(model, { threads, contextSize: 512, groups: 1, lanesPerGroup: 1 });
console.log("1. sampling, time per token");
const prompt = [...model.leadingBos, ...model.tokenizeText("Once upon a time, in a small village by the sea, there lived", "the prompt", false)];
// What sampling costs depends on how peaked the distributions are: say which kind of model this is.
console.log(`model output: ${describeEntropy(await nextTokenEntropy(model.model, prompt, 8, threads), model.model.fileInfo.metadata.tokenizer.ggml.tokens.length)}`);

const settings = [
    { name: "greedy", temperature: 0, topP: 1, topK: 0 },
    { name: "top-p 0.85, temperature 0.8", temperature: 0.8, topP: 0.85, topK: 0 },
    { name: "top-p 0.85, temperature 0.1", temperature: 0.1, topP: 0.85, topK: 0 },
    { name: "top-k 40, top-p 0.85, temperature 0.8", temperature: 0.8, topP: 0.85, topK: 40 }
];
// Two rounds, interleaved, keeping each setting's faster one: the machine's noise hits all alike.
const best = new Map<string, number>();
await generator.withGroup(async ([lane]) => {
    for (let round = 0; round < 2; round++) {
        for (const setting of settings) {
            await lane!.reset();
            await lane!.generate(prompt, { ...setting, seed: 1, maxTokens: 1 });
            const started = performance.now();
            const generation = await lane!.generate(prompt, { ...setting, seed: 2 + round, maxTokens: tokens });
            const msPerToken = (performance.now() - started) / Math.max(1, generation.tokens);
            best.set(setting.name, Math.min(best.get(setting.name) ?? Infinity, msPerToken));
        }
    }
});
const greedy = best.get("greedy")!;
for (const setting of settings)
    console.log(`${setting.name.padEnd(40)} ${best.get(setting.name)!.toFixed(1)} ms/token, ${(best.get(setting.name)! / greedy).toFixed(2)}x greedy`);
await generator.dispose();

console.log("2. batching, greedy decoding");
let oneSequence = 0;
for (const sequences of [1, 2, 4]) {
    const batched = await GenerationContext.create(model, { threads, contextSize: 512, groups: 1, lanesPerGroup: sequences });
    const tokensPerSecond = await batched.withGroup(async (lanes) => {
        await Promise.all(lanes.map((lane) => lane.generate(prompt, { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 1 })));
        const started = performance.now();
        const generations = await Promise.all(lanes.map((lane) => lane.generate(prompt, { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: tokens })));
        return generations.reduce((sum, generation) => sum + generation.tokens, 0) / ((performance.now() - started) / 1000);
    });
    await batched.dispose();
    oneSequence ||= tokensPerSecond;
    console.log(`${`${sequences} sequence(s) in one batch`.padEnd(40)} ${tokensPerSecond.toFixed(1)} tok/s in total, ${(tokensPerSecond / oneSequence).toFixed(2)}x one sequence`);
}
await model.dispose();
process.exit(0);
