/**
 * Synthesis throughput: the engine (`runSynthesis`) against a naive baseline written here
 * (one sequence, no KV reuse, candidates one after another, stock scoring), on the same
 * items, models, prompts and seeds, in one run. Prints items/hour, generated tokens/s,
 * their ratio, and where the engine's time goes.
 *
 *   npm run bench:synth -- [--model models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf] [--items 2]
 *                          [--max-tokens 64] [--max-steps 2] [--candidates 2] [--candidate-mode concurrent|sequential] [--parallel 1] [--threads N]
 *   npm run bench:synth -- --model ../shared/models/stories260K.gguf --template none --threads 1
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { synthesisConfigSchema } from "../src/config/synthesisConfig.js";
import { GenerationPrompter } from "../src/generation/GenerationPrompter.js";
import { Generator } from "../src/generation/Generator.js";
import { LoadedModel } from "../src/model/LoadedModel.js";
import { builtinPromptsDir, PromptSet } from "../src/prompts/PromptSet.js";
import { Scorer } from "../src/scoring/Scorer.js";
import { createLayout } from "../src/scoring/scoreRecords.js";
import { runRefinementLoop } from "../src/search/RefinementLoop.js";
import { runSynthesis, type SynthesisInput } from "../src/synthesis/runSynthesis.js";
import { segmentText } from "../src/text/segmentText.js";
import { deriveSeed } from "../src/util/seededRandom.js";

const { values: args } = parseArgs({
    options: {
        model: { type: "string", default: "models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf" },
        template: { type: "string", default: "chat" },
        items: { type: "string", default: "2" },
        "max-tokens": { type: "string", default: "64" },
        "max-steps": { type: "string", default: "2" },
        candidates: { type: "string", default: "2" },
        "candidate-mode": { type: "string", default: "concurrent" },
        parallel: { type: "string", default: "1" },
        threads: { type: "string" },
        pairs: { type: "string", default: path.join(process.env.REER_SHARED_DIR ?? "../shared", "data", "reer-pairs.jsonl") }
    }
});

const plain = args.template === "none";
const config = synthesisConfigSchema.parse({
    seed: 5,
    candidateMode: args["candidate-mode"],
    parallel: Number(args.parallel),
    generatorTemplate: plain ? "none" : "chat",
    scorerTemplate: plain ? "none" : "paper",
    sampling: { maxTokens: Number(args["max-tokens"]) },
    // A low bar for the initial trajectory so short benchmark generations are searched, not skipped.
    search: { maxSteps: Number(args["max-steps"]), candidates: Number(args.candidates), minThinkingTokens: 8, stopThreshold: 0 }
});
const items: SynthesisInput[] = readFileSync(args.pairs!, "utf8").split("\n").filter(Boolean).slice(0, Number(args.items))
    .map((line, index) => {
        const pair = JSON.parse(line) as { id: string; prompt: string; response: string };
        return { line: index + 1, id: pair.id, prompt: pair.prompt, response: pair.response };
    });

const model = await LoadedModel.load(args.model!, { gpu: "off" });
const threads = args.threads == null ? Math.max(1, model.runtime.llama.cpuMathCores) : Number(args.threads);
// The built-in prompts with a whole-paragraph opener: random-weight models write no newlines,
// and without a second segment there would be no search to measure.
const promptsDir = path.join(mkdtempSync(path.join(tmpdir(), "reer-bench-prompts-")), "prompts");
cpSync(builtinPromptsDir, promptsDir, { recursive: true });
writeFileSync(path.join(promptsDir, "en", "openers.json"), JSON.stringify([{
    text: "Alright, the user wants a short piece, so I need to decide on the voice, the opening image and the one idea the reader should keep.\n\n",
    weight: 1
}]));
const prompts = new PromptSet(promptsDir);
console.log(`model ${model.identity.name}, ${model.runtime.describe()}, threads ${threads}; ${items.length} items, ` +
    `${config.search.candidates} ${config.candidateMode} candidates x ${config.search.maxSteps} steps, ${config.parallel} item(s) in flight, up to ${config.sampling.maxTokens} new tokens per call`);

// --- the engine ---
const output = path.join(mkdtempSync(path.join(tmpdir(), "reer-bench-")), "traces.jsonl");
const engineStart = performance.now();
let engineGenerated = 0;
let generationMs = 0;
let scoringMs = 0;
let itemMs = 0;
await runSynthesis({
    items, output, config, generatorModel: model, scorerModel: model, prompts, threads,
    onEvent: (event) => {
        if (event.type !== "item")
            return;
        engineGenerated += event.record.tokens.generated;
        generationMs += event.record.timings.generationMs;
        scoringMs += event.record.timings.scoringMs;
        itemMs += event.record.timings.totalMs;
        console.log(`  engine: ${event.record.id} ${event.record.status}${event.record.reason == null ? "" : ` (${event.record.reason})`}, ${event.record.steps.length} steps`);
    }
});
const engineMs = performance.now() - engineStart;

// --- the naive baseline: same algorithm, nothing shared, nothing batched, stock scoring ---
const baselineStart = performance.now();
let baselineGenerated = 0;
const prompter = new GenerationPrompter(model, prompts, config.generatorTemplate);
const layout = createLayout(model, config.scorerTemplate, { prompts });
const contextSize = Math.min(model.trainContextSize, 4096);
const generator = await Generator.create(model, { threads, contextSize, groups: 1, lanesPerGroup: 1 });
const scorer = await Scorer.create(model, { threads, tokensNeeded: contextSize, maxContextSize: contextSize, path: "stock", clipFloor: config.search.clipFloor });
const sampling = { temperature: config.sampling.temperature, topP: config.sampling.topP, topK: config.sampling.topK, maxTokens: config.sampling.maxTokens };
await generator.withGroup(async ([lane]) => {
    for (const item of items) {
        const key = item.id!;
        const frame = layout.frame(item.prompt, item.response);
        const opener = prompter.drawOpener(prompter.language(item.prompt), deriveSeed(config.seed, key, "opener"));
        await lane!.reset();
        const initial = await lane!.generate(prompter.initial(item.prompt, item.response, opener).tokens,
            { ...sampling, seed: deriveSeed(config.seed, key, "initial"), stopStrings: ["</think>"] });
        baselineGenerated += initial.tokens;
        const segments = segmentText(opener + initial.text.replace(/<\/think>[\s\S]*$/u, ""));
        if (segments.length < 2) {
            console.log(`  baseline: ${key} skipped (single segment)`);
            continue;
        }
        const result = await runRefinementLoop(segments, item.response, config.search, {
            propose: async (request, count) => {
                const proposals = [];
                for (let k = 0; k < count; k++) {
                    await lane!.reset();
                    const generation = await lane!.generate(prompter.edit(item.prompt, item.response, request.before, request.current, request.after).tokens,
                        { ...sampling, seed: deriveSeed(config.seed, key, "edit", request.pass, request.segment, k), stopStrings: ["</refine>"] });
                    baselineGenerated += generation.tokens;
                    proposals.push({ raw: generation.text });
                }
                return proposals;
            },
            score: async (z) => {
                await scorer.workers[0]!.reset();
                return await scorer.workers[0]!.score(frame.tokensFor(z));
            }
        });
        console.log(`  baseline: ${key} ${result.steps.length} steps`);
    }
});
const baselineMs = performance.now() - baselineStart;
await generator.dispose();
await scorer.dispose();

const perHour = (ms: number) => (items.length / (ms / 3_600_000)).toFixed(1);
const perSecond = (tokens: number, ms: number) => (tokens / (ms / 1000)).toFixed(2);
console.log(`engine:   ${perHour(engineMs)} items/hour, ${perSecond(engineGenerated, engineMs)} generated tokens/s (${(engineMs / 1000).toFixed(1)} s)`);
console.log(`baseline: ${perHour(baselineMs)} items/hour, ${perSecond(baselineGenerated, baselineMs)} generated tokens/s (${(baselineMs / 1000).toFixed(1)} s)`);
console.log(`speed-up (items/hour, engine / baseline): ${(baselineMs / engineMs).toFixed(2)}x  [target >= 3x]`);
// Shares of the items' own time (items in flight overlap, so their sum can exceed the wall time).
const other = Math.max(0, itemMs - generationMs - scoringMs);
console.log(`engine item time: generation ${(100 * generationMs / itemMs).toFixed(1)}%, scoring ${(100 * scoringMs / itemMs).toFixed(1)}%, other ${(100 * other / itemMs).toFixed(1)}%`);
await model.dispose();
process.exit(0);
