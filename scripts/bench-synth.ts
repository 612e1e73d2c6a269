/**
 * Synthesis throughput: the engine (`runSynthesis`) against a naive baseline written here
 * (one sequence, no KV reuse, candidates one after another, stock scoring), on the same
 * items, models, prompts and seeds, in one run. Prints items/hour, generated tokens/s,
 * their ratio, and where each side's time goes.
 *
 * Random-weight and tiny models never close a <refine> block, so the bench's edit pre-fill
 * opens it, and a last block cut by the token cap is a rewrite (the preset takes it, as the reference does):
 * candidates are then scored and kept or dropped as a trained model's would be.
 *
 *   npm run bench:synth -- [--model models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf] [--items 2]
 *                          [--max-tokens 64] [--max-steps 2] [--candidates 2] [--candidate-mode auto|concurrent|sequential] [--parallel 1] [--threads N]
 *                          [--gpu off|auto|cuda|vulkan|metal] [--skip-baseline]
 *   npm run bench:synth -- --model ../shared/models/stories260K.gguf --template none --threads 1
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { maxThinkingTokensOf, synthesisConfigSchema } from "../src/config/synthesisConfig.js";
import { GenerationPrompter } from "../src/generation/GenerationPrompter.js";
import { GenerationContext } from "../src/generation/GenerationContext.js";
import { builtinPromptsDir, PromptSet } from "../src/prompts/PromptSet.js";
import { ScoringContext } from "../src/scoring/ScoringContext.js";
import { createLayout } from "../src/scoring/scoreRecords.js";
import { runRefinementLoop } from "../src/search/RefinementLoop.js";
import { resolveCandidateMode } from "../src/synthesis/candidateMode.js";
import { draftTrajectory } from "../src/synthesis/draftTrajectory.js";
import { ItemMeter } from "../src/synthesis/ItemMeter.js";
import { runSynthesis, type SynthesisInput } from "../src/synthesis/runSynthesis.js";
import { SequentialProposer } from "../src/synthesis/SequentialProposer.js";
import { toSynthesisItem } from "../src/synthesis/SynthesisItem.js";
import { recordNote } from "../src/trace/traceRecordSchema.js";
import { deriveSeed } from "../src/util/seededRandom.js";
import { loadBenchModel, modelArgOptions, readBenchPairs, sharedPairsPath } from "./bench/harness.js";

const { values: args } = parseArgs({
    options: {
        ...modelArgOptions,
        template: { type: "string", default: "chat" },
        items: { type: "string", default: "2" },
        "max-tokens": { type: "string", default: "64" },
        "max-steps": { type: "string", default: "2" },
        candidates: { type: "string", default: "2" },
        "candidate-mode": { type: "string", default: "auto" },
        parallel: { type: "string", default: "1" },
        "skip-baseline": { type: "boolean", default: false },
        pairs: { type: "string", default: sharedPairsPath() }
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
    // z may hold the opener and a whole draft (up to --max-tokens new tokens) and grow by rewrites:
    // with the default bound (2 x --max-tokens) a tiny model's drafts are refused as too long.
    search: { maxSteps: Number(args["max-steps"]), candidates: Number(args.candidates), minThinkingTokens: 8, maxThinkingTokens: 4 * Number(args["max-tokens"]), stopThreshold: 0, acceptUnclosedRewrite: true }
});
const items: SynthesisInput[] = readBenchPairs(args.pairs, Number(args.items));
const { model, threads } = await loadBenchModel(args);
// The built-in prompts with a whole-paragraph opener: random-weight models write no newlines,
// and without a second segment there would be no search to measure.
const promptsDir = path.join(mkdtempSync(path.join(tmpdir(), "reer-bench-prompts-")), "prompts");
cpSync(builtinPromptsDir, promptsDir, { recursive: true });
writeFileSync(path.join(promptsDir, "en", "openers.json"), JSON.stringify([{
    text: "Alright, the user wants a short piece, so I need to decide on the voice, the opening image and the one idea the reader should keep.\n\n",
    weight: 1
}]));
writeFileSync(path.join(promptsDir, "en", "edit-prefill.txt"), "Here is the better paragraph.\n<refine>");
const prompts = new PromptSet(promptsDir);
console.log(`model ${model.identity.name}, ${model.runtime.describe()}, threads ${threads}; ${items.length} items, ` +
    `${config.search.candidates} ${resolveCandidateMode(config.candidateMode, model)} candidates x ${config.search.maxSteps} steps, ${config.parallel} item(s) in flight, up to ${config.sampling.maxTokens} new tokens per call`);

// --- the engine ---
const output = path.join(mkdtempSync(path.join(tmpdir(), "reer-bench-")), "traces.jsonl");
const engineStart = performance.now();
let engineGenerated = 0;
let engineScored = 0;
let generationMs = 0;
let promptEvalMs = 0;
let scoringMs = 0;
let itemMs = 0;
let promptEvaluated = 0;
let promptReused = 0;
await runSynthesis({
    items, output, config, generatorModel: model, scorerModel: model, prompts, threads,
    onEvent: (event) => {
        if (event.type !== "item")
            return;
        engineGenerated += event.record.tokens.generated;
        engineScored += event.record.steps.flatMap((step) => step.candidates).filter((candidate) => candidate.status === "scored").length;
        promptEvaluated += event.record.tokens.promptEvaluated ?? 0;
        promptReused += event.record.tokens.promptReused ?? 0;
        generationMs += event.record.timings.generationMs;
        promptEvalMs += event.record.timings.promptEvalMs ?? 0;
        scoringMs += event.record.timings.scoringMs;
        itemMs += event.record.timings.totalMs;
        const note = recordNote(event.record);
        console.log(`  engine: ${event.record.id} ${event.record.status}${note == null ? "" : ` (${note})`}, ${event.record.steps.length} steps, ` +
            `z ${event.record.status === "done" && event.record.z0 !== event.record.z ? "improved" : "unchanged"}`);
    }
});
const engineMs = performance.now() - engineStart;

// --- the naive baseline: the engine's own steps (draft, search loop), but nothing shared,
// nothing batched, no KV reuse (every call starts from a cleared sequence), stock scoring ---
async function runBaseline() {
    const baselineStart = performance.now();
    let baselineScored = 0;
    const baselineMeter = new ItemMeter();
    const prompter = new GenerationPrompter(model, prompts, config.generatorTemplate, config.search.draftPrompt);
    const layout = createLayout(model, config.scorerTemplate, { prompts });
    const contextSize = Math.min(model.trainContextSize, 4096);
    const generator = await GenerationContext.create(model, { threads, contextSize, groups: 1, lanesPerGroup: 1 });
    const scorer = await ScoringContext.create(model, { threads, tokensNeeded: contextSize, maxContextSize: contextSize, path: "stock", clipFloor: config.search.clipFloor });
    const sampling = { temperature: config.sampling.temperature, topP: config.sampling.topP, topK: config.sampling.topK, maxTokens: config.sampling.maxTokens };
    await generator.withGroup(async ([lane]) => {
        for (const input of items) {
            const item = toSynthesisItem(input, config.answerAfterThink);
            const frame = layout.frame(item.x, item.y);
            const opener = prompter.drawOpener(prompter.language(item.x), deriveSeed(config.seed, item.key, "opener"));
            await lane!.reset();
            const draft = await draftTrajectory(lane!, prompter, item, opener, deriveSeed(config.seed, item.key, "initial"), sampling, baselineMeter);
            if (draft.segments.length < 2) {
                console.log(`  baseline: ${item.key} skipped (single segment)`);
                continue;
            }
            const result = await runRefinementLoop(draft.segments, item.y, config.search, {
                propose: async (request, count) => {
                    const proposals = [];
                    for (let k = 0; k < count; k++) {
                        await lane!.reset();
                        const prompt = prompter.edit(item.x, item.y, request.before, request.current, request.after);
                        const [generation] = await new SequentialProposer(lane!, sampling, baselineMeter)
                            .propose(prompt.tokens, [deriveSeed(config.seed, item.key, "edit", request.pass, request.segment, k)]);
                        proposals.push({ raw: prompt.prefill + generation!.text });
                    }
                    return proposals;
                },
                score: async (z) => {
                    await scorer.scorers[0]!.reset();
                    return await baselineMeter.timeScoring(() => scorer.scorers[0]!.score(frame.tokensFor(z)));
                },
                // The engine's bound on z (ItemSearch): a rewrite past it is refused as too long, unscored.
                fits: (z) => model.tokenizeText(z, "the trajectory", true).length <= maxThinkingTokensOf(config)
            });
            baselineScored += result.steps.flatMap((step) => step.candidates).filter((candidate) => candidate.status === "scored").length;
            console.log(`  baseline: ${item.key} ${result.steps.length} steps, z ${result.z0 === result.z ? "unchanged" : "improved"}`);
        }
    });
    const baselineMs = performance.now() - baselineStart;
    const baselineWork = baselineMeter.work();
    const baselineGenerated = baselineWork.tokens.generated;
    const baselinePhases = { promptMs: baselineWork.timings.promptEvalMs, generationMs: baselineWork.timings.generationMs, scoringMs: baselineWork.timings.scoringMs };
    await generator.dispose();
    await scorer.dispose();
    return { ms: baselineMs, scored: baselineScored, generated: baselineGenerated, phases: baselinePhases };
}
const baseline = args["skip-baseline"] ? undefined : await runBaseline();

const perHour = (ms: number) => (items.length / (ms / 3_600_000)).toFixed(1);
const perSecond = (tokens: number, ms: number) => (tokens / (ms / 1000)).toFixed(2);
console.log(`engine:   ${perHour(engineMs)} items/hour, ${perSecond(engineGenerated, engineMs)} generated tokens/s (${(engineMs / 1000).toFixed(1)} s)`);
if (baseline != null) {
    console.log(`baseline: ${perHour(baseline.ms)} items/hour, ${perSecond(baseline.generated, baseline.ms)} generated tokens/s (${(baseline.ms / 1000).toFixed(1)} s)`);
    console.log(`speed-up (items/hour, engine / baseline): ${(baseline.ms / engineMs).toFixed(2)}x  [target >= 3x]`);
}
console.log(`candidates scored: engine ${engineScored}${baseline == null ? "" : `, baseline ${baseline.scored}`}`);
// Shares of the items' own time (items in flight overlap, so their sum can exceed the wall time).
// Prompt time runs from a generator call to its first new token; decoding is the rest.
const shares = (total: number, generation: number, prompt: number, scoring: number) => {
    const percent = (part: number) => `${(100 * part / total).toFixed(1)}%`;
    return `generation ${percent(generation)} (prompt evaluation ${percent(prompt)}, decoding ${percent(generation - prompt)}), ` +
        `scoring ${percent(scoring)}, other ${percent(Math.max(0, total - generation - scoring))}`;
};
console.log(`engine item time:   ${shares(itemMs, generationMs, promptEvalMs, scoringMs)}`);
if (baseline != null)
    console.log(`baseline item time: ${shares(baseline.ms, baseline.phases.generationMs, baseline.phases.promptMs, baseline.phases.scoringMs)}`);
console.log(`engine generator prompts: ${promptEvaluated} tokens evaluated, ${promptReused} served from the KV cache`);
await model.dispose();
process.exit(0);
