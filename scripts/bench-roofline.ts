/**
 * How close a synthesis gets to what the machine can do, in one run.
 *
 * 1. Limits, measured through the same binary with nothing of reer in the way (node-llama-cpp's
 *    own sequence calls on contexts set up as reer sets them up):
 *    - greedy decoding (sequence.evaluate, temperature 0) of --decode-tokens tokens at depth 0
 *      and at depth --depth, on a generation context (F16 KV cache);
 *    - batched prompt evaluation of --prompt-tokens tokens, same context, same depths;
 *    - on a scoring context (F32 KV cache): prompt evaluation as above, and evaluation with
 *      logits at every position (the scoring limit: llama.cpp computes and copies out a whole
 *      vocabulary of logits per token; reer's scorer adds only its log-softmax of the target).
 *    Cost per token is taken as linear in the depth between the two depths measured, and a
 *    batch of n tokens as one decode step (the weights are read once per batch) plus n - 1
 *    marginal costs, so a prompt evaluation of one token (a reused prompt's last token) is
 *    held to a decode step, not to 1/512 of a batch.
 * 2. node-llama-cpp's prebuilt binary against the local build: raw greedy decoding and prompt
 *    evaluation at depth 0, each binary in its own child process (one process cannot load
 *    two builds), interleaved, best of two each. getLlama with a custom cmake option looks for
 *    a local build in a folder named after that option, finds none and loads the prebuilt
 *    binary (scripts/native/cpuBuildOptions.mjs).
 * 3. A synthesis (runSynthesis as bench:synth runs it, without the baseline). Every generator
 *    and scorer call is timed from the outside, with its token counts and depths, so each
 *    phase gets: tokens/s reached, the limit for the same tokens at the same depths, and their
 *    ratio. Ideal time = the run's own tokens divided by the limits; end to end = ideal time /
 *    wall time ("everything else", the time outside generator and scorer calls, has no
 *    ideal: it is all overhead).
 * 4. The work over the whole vocabulary that every token costs, the part of each token's time
 *    that is reer's (llama.cpp's evaluation is the limit): after one decode, sampling with the
 *    synthesis' sampler (node-llama-cpp's sampleToken: the logits copied into candidates,
 *    top-p, temperature, the draw), timed over repeated calls on the same logits, and the
 *    scorer's log-softmax (reerTokenLogprobs), one call for a batch of positions right after
 *    their decode, as the scorer makes it. The phase table gives their share of the time per
 *    token decoded and per position scored.
 *
 *   npm run bench:roofline -- [--model models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf | <catalogue name>] [--threads N]
 *       [--template auto|chat|none] [--items 2] [--candidates 2] [--max-steps 2] [--max-tokens 64]
 *       [--decode-tokens 64] [--prompt-tokens 512] [--score-tokens 256] [--depth 1500] [--no-prebuilt]
 *       [--synthesis-only]   (the synthesis alone, no limits: for profiling it with node --cpu-prof)
 *   REER_ROOFLINE_CALLS=1 prints every generator and scorer call with its tokens, depth, time and ideal time.
 *   npm run bench:roofline -- --model ../shared/models/stories260K.gguf --threads 1
 *   npm run bench:roofline -- --model gemma-3-270m --threads 2
 * --template auto (the default): the model's chat template when it has one, else none.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getLlama, LlamaLogLevel, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { synthesisConfigSchema } from "../src/config/synthesisConfig.js";
import { GenerationLane, type Generation, type SharedPrompt } from "../src/generation/GenerationLane.js";
import { LoadedModel } from "../src/model/LoadedModel.js";
import { resolveModelPath } from "../src/model/resolveModelPath.js";
import { builtinPromptsDir, PromptSet } from "../src/prompts/PromptSet.js";
import { decodeWithLogitReader, getAddonContext, getNativeTokenLogprobs } from "../src/runtime/nodeLlamaInternals.js";
import { scoringBatchCap, SCORING_MAX_BATCH, vocabularySize } from "../src/scoring/logitsMemory.js";
import type { ScoringTokens } from "../src/scoring/ScoringTokens.js";
import { TokenScorer, type TokenScores } from "../src/scoring/TokenScorer.js";
import { resolveCandidateMode } from "../src/synthesis/candidateMode.js";
import { runSynthesis, type SynthesisInput } from "../src/synthesis/runSynthesis.js";
import { recordNote } from "../src/trace/traceRecordSchema.js";
import { describeEntropy, nextTokenEntropy } from "./bench-model/nextTokenEntropy.js";
import { BENCH_MODEL, readBenchPairs, sharedPairsPath } from "./bench/harness.js";

const { values: args } = parseArgs({
    options: {
        model: { type: "string", default: BENCH_MODEL },
        template: { type: "string", default: "auto" },
        threads: { type: "string" },
        items: { type: "string", default: "2" },
        candidates: { type: "string", default: "2" },
        "max-steps": { type: "string", default: "2" },
        "max-tokens": { type: "string", default: "64" },
        "candidate-mode": { type: "string", default: "auto" },
        "decode-tokens": { type: "string", default: "64" },
        "prompt-tokens": { type: "string", default: "512" },
        "score-tokens": { type: "string", default: "256" },
        depth: { type: "string", default: "1500" },
        "no-prebuilt": { type: "boolean", default: false },
        // The synthesis alone, without limits (for profiling it).
        "synthesis-only": { type: "boolean", default: false },
        pairs: { type: "string", default: sharedPairsPath() },
        // Internal: measure one binary's raw speeds in this process and print them.
        "raw-child": { type: "string" }
    }
});

/** Ordinary prose, repeated to any length, so every model tokenises it into ordinary tokens. */
const PROSE = "Once upon a time, in a small village by the sea, there lived an old fisherman and his wife. " +
    "Every morning he rowed out past the rocks, and every evening he came back with a basket of fish, " +
    "which she sold at the market while the children played on the sand. ";

function proseTokens(model: LlamaModel, count: number): Token[] {
    const once = model.tokenize(PROSE, false);
    const tokens: Token[] = [];
    while (tokens.length < count) tokens.push(...once);
    return tokens.slice(0, count);
}

type Speed = { tokens: number; ms: number };

/**
 * CPU time (s) used on the whole machine and by this process (its threads and waited-for
 * children), from /proc: the difference between two readings is what other processes took.
 */
function cpuReading(): { machine: number; own: number; at: number } | undefined {
    try {
        const ticks = 100; // USER_HZ on Linux
        const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
        const busy = fields.reduce((a, b) => a + b, 0) - fields[3]! - (fields[4] ?? 0);
        const own = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ").slice(11, 15).map(Number);
        return { machine: busy / ticks, own: own.reduce((a, b) => a + b, 0) / ticks, at: performance.now() };
    } catch {
        return undefined;
    }
}
/** "other processes used x core-seconds (y% of the machine)" between two readings. */
function othersLine(from: ReturnType<typeof cpuReading>, to: ReturnType<typeof cpuReading>): string {
    if (from == null || to == null) return "other processes' CPU use unknown (no /proc)";
    const others = Math.max(0, (to.machine - from.machine) - (to.own - from.own));
    const capacity = availableParallelism() * (to.at - from.at) / 1000;
    return `other processes used ${others.toFixed(1)} core-seconds, ${(100 * others / capacity).toFixed(0)}% of the machine` +
        (others / capacity > 0.05 ? " (NOISY: compare nothing from this run)" : "");
}
const perSecond = ({ tokens, ms }: Speed) => tokens / (ms / 1000);

/** Greedy decoding of `count` tokens after `prefix`: time from the first new token to the last (count - 1 decodes). */
async function greedyDecode(sequence: LlamaContextSequence, prefix: Token[], count: number): Promise<Speed> {
    await sequence.clearHistory();
    if (prefix.length > 1) await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(0, -1));
    let first = 0;
    let produced = 0;
    for await (const _token of sequence.evaluate(prefix.slice(-1), { temperature: 0, yieldEogToken: true })) {
        produced++;
        if (produced === 1) first = performance.now();
        if (produced >= count) break;
    }
    return { tokens: produced - 1, ms: performance.now() - first };
}

/** Batched evaluation of `tokens` after `prefix` (the prefix is not timed). */
async function promptEval(sequence: LlamaContextSequence, prefix: Token[], tokens: Token[]): Promise<Speed> {
    await sequence.clearHistory();
    if (prefix.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(prefix);
    const started = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(tokens);
    return { tokens: tokens.length, ms: performance.now() - started };
}

/** Evaluation of `tokens` after `prefix` with logits at every position (read by no one). */
async function logitsEval(sequence: LlamaContextSequence, prefix: Token[], tokens: Token[]): Promise<Speed> {
    await sequence.clearHistory();
    if (prefix.length > 0) await sequence.evaluateWithoutGeneratingNewTokens(prefix);
    const started = performance.now();
    await decodeWithLogitReader(sequence, tokens, tokens.map(() => true), () => 0);
    return { tokens: tokens.length, ms: performance.now() - started };
}

async function best(times: number, measure: () => Promise<Speed>): Promise<Speed> {
    let fastest: Speed | undefined;
    for (let i = 0; i < times; i++) {
        const speed = await measure();
        if (fastest == null || perSecond(speed) > perSecond(fastest)) fastest = speed;
    }
    return fastest!;
}

const generationContextOptions = (threads: number, contextSize: number) =>
    ({ contextSize, threads, batchSize: Math.min(SCORING_MAX_BATCH, contextSize), flashAttention: false });
/** As ScoringContext makes them: F32 KV cache, and a batch capped by the logits it holds. */
const scoringContextOptions = (threads: number, contextSize: number, batch: number) =>
    ({ ...generationContextOptions(threads, contextSize), batchSize: batch, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32" } as const);

/** The sizes every measurement uses, fitted to the model's training context. */
function sizesFor(trainContext: number) {
    const decode = Number(args["decode-tokens"]);
    const prompt = Number(args["prompt-tokens"]);
    const score = Number(args["score-tokens"]);
    const longest = Math.max(decode, prompt, score);
    const room = Math.max(64, trainContext - 8);
    const fitted = Math.min(longest, Math.floor(room / 2));
    const scale = (n: number) => Math.max(8, Math.min(n, fitted));
    const depth = Math.max(0, Math.min(Number(args.depth), room - fitted));
    return { decode: scale(decode), prompt: scale(prompt), score: scale(score), depth, contextSize: Math.min(trainContext, Math.ceil((depth + fitted + 8) / 64) * 64) };
}

// ------------------------------------------------------------------ child: one binary's raw speeds

if (args["raw-child"] != null) {
    const prebuilt = args["raw-child"] === "prebuilt";
    const llama = await getLlama({
        gpu: false, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error,
        // A custom option sends the local-build lookup to a folder that does not exist: the prebuilt binary loads.
        ...(prebuilt ? { cmakeOptions: { REER_BENCH_PREBUILT: "1" } } : {})
    });
    const model = await llama.loadModel({ modelPath: args.model!, gpuLayers: 0 });
    const threads = Number(args.threads);
    const sizes = sizesFor(model.trainContextSize);
    const context = await model.createContext(generationContextOptions(threads, sizes.contextSize));
    const sequence = context.getSequence();
    const tokens = proseTokens(model, sizes.prompt + 1);
    const prompt = await best(2, () => promptEval(sequence, [], tokens.slice(0, sizes.prompt)));
    const decode = await best(2, () => greedyDecode(sequence, tokens.slice(0, 1), sizes.decode));
    process.stdout.write(`ROOFLINE_RAW ${JSON.stringify({ buildType: llama.buildType, prompt: perSecond(prompt), decode: perSecond(decode) })}\n`);
    await context.dispose();
    await model.dispose();
    process.exit(0);
}

// ------------------------------------------------------------------ parent

const scriptPath = fileURLToPath(import.meta.url);
// A catalogue name or a path, as --model takes them everywhere; the children get the path.
const modelPath = await resolveModelPath(args.model!);
const header = await LoadedModel.load(modelPath, { gpu: "off", vocabOnly: true });
const threads = args.threads == null ? Math.max(1, header.runtime.llama.cpuMathCores) : Number(args.threads);
const sizes = sizesFor(header.trainContextSize);
const vocabulary = vocabularySize(header.model) ?? 262_144;
const hasChatTemplate = header.chatTemplate != null;
await header.dispose();
/** Batches of reer's contexts: GenerationContext's 512 (or the context size), ScoringContext's capped by its logits. */
const generationBatch = Math.min(SCORING_MAX_BATCH, sizes.contextSize);
const scoringBatch = Math.min(generationBatch, scoringBatchCap(vocabulary));

type RawSpeeds = { buildType: string; prompt: number; decode: number };
function rawChild(which: "local" | "prebuilt"): RawSpeeds {
    const result = spawnSync(process.execPath, [...process.execArgv, scriptPath, "--raw-child", which, "--model", modelPath, "--threads", String(threads),
        "--decode-tokens", args["decode-tokens"]!, "--prompt-tokens", args["prompt-tokens"]!, "--score-tokens", args["score-tokens"]!, "--depth", args.depth!],
    { encoding: "utf8", timeout: 600_000 });
    const line = result.stdout.split("\n").find((text) => text.startsWith("ROOFLINE_RAW "));
    if (line == null) throw new Error(`the ${which} child failed (${result.status ?? result.signal}): ${result.stderr.slice(-1000)}`);
    return JSON.parse(line.slice("ROOFLINE_RAW ".length)) as RawSpeeds;
}

const startReading = cpuReading();
const binaries: { local?: RawSpeeds; prebuilt?: RawSpeeds } = {};
if (!args["no-prebuilt"] && !args["synthesis-only"]) {
    // Interleaved, so the machine's noise hits both alike; best of two each.
    const keepBest = (a: RawSpeeds | undefined, b: RawSpeeds): RawSpeeds =>
        a == null ? b : { buildType: b.buildType, prompt: Math.max(a.prompt, b.prompt), decode: Math.max(a.decode, b.decode) };
    for (let round = 0; round < 2; round++) {
        binaries.local = keepBest(binaries.local, rawChild("local"));
        binaries.prebuilt = keepBest(binaries.prebuilt, rawChild("prebuilt"));
    }
    if (binaries.prebuilt!.buildType !== "prebuilt" || binaries.local!.buildType !== "localBuild")
        throw new Error(`expected a local build and the prebuilt binary, loaded ${binaries.local!.buildType} and ${binaries.prebuilt!.buildType}`);
}

const loaded = await LoadedModel.load(modelPath, { gpu: "off" });
const model = loaded.model;
console.log(`model ${loaded.identity.name}, ${loaded.runtime.describe()}, threads ${threads}`);
console.log(`model output: ${describeEntropy(await nextTokenEntropy(model, proseTokens(model, 24), 8, threads), vocabulary)}`);
console.log(`limits: greedy decoding of ${sizes.decode} tokens, prompts of ${sizes.prompt} tokens, logits at every position of ${sizes.score} tokens; ` +
    `at depth 0 and ${sizes.depth}`);

/** Cost per token as a + b * depth, from two measurements whose tokens sat at mean depths d0 and d1. */
type CostModel = { a: number; b: number };
function costModel(near: Speed, nearDepth: number, far: Speed, farDepth: number): CostModel {
    const c0 = near.ms / near.tokens;
    const c1 = far.ms / far.tokens;
    const b = farDepth > nearDepth ? Math.max(0, (c1 - c0) / (farDepth - nearDepth)) : 0;
    return { a: c0 - b * nearDepth, b };
}
/** Ideal ms for `count` tokens at depths start, start + 1, ... */
const idealMs = (cost: CostModel, start: number, count: number) => count <= 0 ? 0 : count * (cost.a + cost.b * (start + (count - 1) / 2));
const rate = (cost: CostModel, depth: number) => 1000 / (cost.a + cost.b * depth);
/**
 * A batch of n tokens costs one decode step (a batch of one token: the weights are read
 * once, whatever n is) plus a marginal cost for each other token. The marginal costs come
 * from the batched measurements less one step per batch of `batch` tokens:
 * (time - steps) / (tokens - batches).
 */
function marginalModel(step: CostModel, batch: number, near: Speed, nearStart: number, far: Speed, farStart: number): CostModel {
    const marginal = (speed: Speed, start: number) => {
        const batches = Math.ceil(speed.tokens / batch);
        let steps = 0;
        for (let b = 0; b < batches; b++) steps += idealMs(step, start + b * batch, 1);
        return (speed.ms - steps) / Math.max(1, speed.tokens - batches);
    };
    return costModel({ tokens: 1, ms: marginal(near, nearStart) }, nearStart + near.tokens / 2, { tokens: 1, ms: marginal(far, farStart) }, farStart + far.tokens / 2);
}
/**
 * Ideal ms to evaluate `plain` tokens without logits and then `withLogits` tokens with
 * logits, from depth `start`, in batches of `batch`: a decode step per batch and the
 * marginal cost of every other token.
 */
function batchedIdealMs(step: CostModel, plainMarginal: CostModel, logitsMarginal: CostModel, batch: number, start: number, plain: number, withLogits: number): number {
    let ms = 0;
    const count = plain + withLogits;
    for (let first = 0; first < count; first += batch) {
        const end = Math.min(count, first + batch);
        ms += idealMs(step, start + first, 1);
        const plainEnd = Math.min(end, plain);
        const plainFrom = first + 1;
        if (plainEnd > plainFrom) ms += idealMs(plainMarginal, start + plainFrom, plainEnd - plainFrom);
        const logitsFrom = Math.max(first + 1, plain);
        if (end > logitsFrom) ms += idealMs(logitsMarginal, start + logitsFrom, end - logitsFrom);
    }
    return ms;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const noCost: CostModel = { a: 0, b: 0 };
let decodeCost = noCost;
let promptCost = noCost;
let scoringPromptCost = noCost;
let logitsCost = noCost;
if (!args["synthesis-only"]) {
    const text = proseTokens(model, sizes.depth + sizes.prompt + 1);
    const deepPrefix = text.slice(0, sizes.depth);
    const after = (prefix: Token[], count: number) => text.slice(prefix.length, prefix.length + count);

    const generationContext: LlamaContext = await model.createContext(generationContextOptions(threads, sizes.contextSize));
    const generationSequence = generationContext.getSequence();
    const decodeNear = await best(2, () => greedyDecode(generationSequence, text.slice(0, 1), sizes.decode + 1));
    const decodeFar = await best(2, () => greedyDecode(generationSequence, text.slice(0, sizes.depth + 1), sizes.decode + 1));
    const promptNear = await best(2, () => promptEval(generationSequence, [], text.slice(0, sizes.prompt)));
    const promptFar = await best(2, () => promptEval(generationSequence, deepPrefix, after(deepPrefix, sizes.prompt)));
    await generationContext.dispose();

    const scoringContext = await model.createContext(scoringContextOptions(threads, sizes.contextSize, scoringBatch));
    const scoringSequence = scoringContext.getSequence();
    const scoringPromptNear = await best(2, () => promptEval(scoringSequence, [], text.slice(0, sizes.prompt)));
    const scoringPromptFar = await best(2, () => promptEval(scoringSequence, deepPrefix, after(deepPrefix, sizes.prompt)));
    const logitsNear = await best(2, () => logitsEval(scoringSequence, [], text.slice(0, sizes.score)));
    const logitsFar = await best(2, () => logitsEval(scoringSequence, deepPrefix, after(deepPrefix, sizes.score)));
    await scoringContext.dispose();

    decodeCost = costModel(decodeNear, 1 + sizes.decode / 2, decodeFar, sizes.depth + 1 + sizes.decode / 2);
    promptCost = marginalModel(decodeCost, generationBatch, promptNear, 0, promptFar, sizes.depth);
    scoringPromptCost = marginalModel(decodeCost, scoringBatch, scoringPromptNear, 0, scoringPromptFar, sizes.depth);
    logitsCost = marginalModel(decodeCost, scoringBatch, logitsNear, 0, logitsFar, sizes.depth);

    console.log("");
    console.log("| limit (tokens/s) | depth 0 | depth " + sizes.depth + " |");
    console.log("|---|---|---|");
    console.log(`| greedy decoding | ${fixed(perSecond(decodeNear))} | ${fixed(perSecond(decodeFar))} |`);
    console.log(`| prompt evaluation (F16 KV) | ${fixed(perSecond(promptNear))} | ${fixed(perSecond(promptFar))} |`);
    console.log(`| prompt evaluation (F32 KV, scoring context) | ${fixed(perSecond(scoringPromptNear))} | ${fixed(perSecond(scoringPromptFar))} |`);
    console.log(`| evaluation with logits at every position (F32 KV) | ${fixed(perSecond(logitsNear))} | ${fixed(perSecond(logitsFar))} |`);
}
if (binaries.local != null && binaries.prebuilt != null) {
    console.log("");
    console.log(`| binary, depth 0, ${threads} thread(s) | prompt (${sizes.prompt} tokens) | greedy decoding (${sizes.decode} tokens) |`);
    console.log("|---|---|---|");
    console.log(`| node-llama-cpp's prebuilt binary | ${fixed(binaries.prebuilt.prompt)} | ${fixed(binaries.prebuilt.decode)} |`);
    console.log(`| local build (reer's) | ${fixed(binaries.local.prompt)} | ${fixed(binaries.local.decode)} |`);
    console.log(`| local / prebuilt | ${fixed(binaries.local.prompt / binaries.prebuilt.prompt, 2)}x | ${fixed(binaries.local.decode / binaries.prebuilt.decode, 2)}x |`);
}

// ------------------------------------------------------------------ the work over the vocabulary

type SamplerConfig = { temperature: number; topP: number; topK: number; seed: number };
/** The node-llama-cpp internals that sample a token from a decode's logits, as sequence.evaluate does. */
type SamplingInternals = {
    sampler: { applyConfig(config: object): void; dispose(): void };
    config(options: SamplerConfig): object;
    sample(batchLogitIndex: number): Promise<unknown>;
};
function samplingInternals(context: LlamaContext, sequence: LlamaContextSequence): SamplingInternals {
    const bindings = (model.llama as unknown as { _bindings: { AddonSampler: new (addonModel: unknown) => SamplingInternals["sampler"] } })._bindings;
    const sampler = new bindings.AddonSampler((model as unknown as { _model: unknown })._model);
    const resolve = (sequence as unknown as { _resolveSamplerConfig(options: SamplerConfig): object })._resolveSamplerConfig.bind(sequence);
    const addonContext = getAddonContext(context) as { sampleToken(batchLogitIndex: number, sampler: unknown): Promise<unknown> };
    return { sampler, config: resolve, sample: (batchLogitIndex) => addonContext.sampleToken(batchLogitIndex, sampler) };
}

/**
 * ms over the vocabulary, per sampled token and per scored position. Sampling: repeated
 * calls on the logits of one decode (best of three rounds of `calls`). The log-softmax: one
 * call for a whole batch of positions right after its decode, as the scorer makes it, so the
 * rows come from memory as they do there (best of three decodes).
 */
type VocabularyCosts = { samplingMs: number; greedyMs: number; logSoftmaxMs: number };
async function vocabularyCosts(sampling: SamplerConfig, calls: number): Promise<VocabularyCosts> {
    const positions = Math.min(128, scoringBatch);
    const context = await model.createContext(scoringContextOptions(threads, positions + 64, positions));
    const sequence = context.getSequence();
    const prompt = proseTokens(model, positions);
    const internals = samplingInternals(context, sequence);
    const native = getNativeTokenLogprobs(model.llama);
    const costs: VocabularyCosts = { samplingMs: Infinity, greedyMs: Infinity, logSoftmaxMs: Infinity };
    const timed = async (run: () => unknown): Promise<number> => {
        let bestMs = Infinity;
        for (let round = 0; round < 3; round++) {
            const started = performance.now();
            for (let call = 0; call < calls; call++) await run();
            bestMs = Math.min(bestMs, (performance.now() - started) / calls);
        }
        return bestMs;
    };
    try {
        for (let round = 0; round < 3; round++) {
            await sequence.clearHistory();
            let first = true;
            await decodeWithLogitReader(sequence, prompt, prompt.map(() => true), async (batchLogitIndex) => {
                if (!first) return;
                first = false;
                if (native != null) {
                    const started = performance.now();
                    native(getAddonContext(context), Int32Array.of(batchLogitIndex), Uint32Array.from(prompt));
                    costs.logSoftmaxMs = Math.min(costs.logSoftmaxMs, (performance.now() - started) / positions);
                }
                if (round > 0) return;
                internals.sampler.applyConfig(internals.config(sampling));
                costs.samplingMs = await timed(() => internals.sample(batchLogitIndex));
                internals.sampler.applyConfig(internals.config({ ...sampling, temperature: 0 }));
                costs.greedyMs = await timed(() => internals.sample(batchLogitIndex));
            });
        }
    } finally {
        internals.sampler.dispose();
        await context.dispose();
    }
    return costs;
}

// ------------------------------------------------------------------ the synthesis, timed call by call

type Phase = { tokens: number; ms: number; idealMs: number; calls: number; depthSum: number; vocabularyMs: number };
const phase = (): Phase => ({ tokens: 0, ms: 0, idealMs: 0, calls: 0, depthSum: 0, vocabularyMs: 0 });
const phases = { decode: phase(), prompt: phase(), scoring: phase() };
// REER_ROOFLINE_CALLS=1 prints every call: phase, tokens, depth, time, ideal time.
const traceCalls = process.env.REER_ROOFLINE_CALLS === "1";
let vocabularyWork: VocabularyCosts = { samplingMs: 0, greedyMs: 0, logSoftmaxMs: 0 };
const add = (target: Phase, tokens: number, ms: number, ideal: number, depth: number, vocabularyMs = 0) => {
    if (traceCalls)
        console.log(`    call ${Object.entries(phases).find(([, p]) => p === target)?.[0]}: ${tokens} tokens from depth ${depth}, ${ms.toFixed(1)} ms, ideal ${ideal.toFixed(1)} ms`);
    target.tokens += tokens;
    target.ms += ms;
    target.idealMs += ideal;
    target.calls++;
    target.depthSum += depth * tokens;
    target.vocabularyMs += vocabularyMs;
};

const generate = GenerationLane.prototype.generate;
GenerationLane.prototype.generate = async function (this: GenerationLane, prompt: Token[], sampling): Promise<Generation> {
    const started = performance.now();
    const result = await generate.call(this, prompt, sampling);
    const ms = performance.now() - started;
    const evaluated = prompt.length - result.reusedPromptTokens;
    // The first new token is sampled within the prompt's time.
    add(phases.prompt, evaluated, result.promptMs, batchedIdealMs(decodeCost, promptCost, promptCost, generationBatch, result.reusedPromptTokens, evaluated, 0),
        result.reusedPromptTokens, result.tokens > 0 ? vocabularyWork.samplingMs : 0);
    // The first new token comes with the prompt; each later one costs a decode, and so does the
    // last one when generation ended on an end-of-generation token (sampled after decoding it).
    const decodes = Math.max(0, result.tokens - 1 + (result.stop === "eog" ? 1 : 0));
    add(phases.decode, decodes, ms - result.promptMs, idealMs(decodeCost, prompt.length, decodes), prompt.length, decodes * vocabularyWork.samplingMs);
    return result;
};
const sharePromptWith = GenerationLane.prototype.sharePromptWith;
GenerationLane.prototype.sharePromptWith = async function (this: GenerationLane, others: GenerationLane[], prompt: Token[]): Promise<SharedPrompt> {
    const result = await sharePromptWith.call(this, others, prompt);
    const start = prompt.length - 1 - result.evaluatedTokens;
    add(phases.prompt, result.evaluatedTokens, result.ms, batchedIdealMs(decodeCost, promptCost, promptCost, generationBatch, start, result.evaluatedTokens, 0), start);
    return result;
};
const score = TokenScorer.prototype.score;
TokenScorer.prototype.score = async function (this: TokenScorer, input: ScoringTokens): Promise<TokenScores> {
    const started = performance.now();
    const result = await score.call(this, input);
    const ms = performance.now() - started;
    // Tokens before the first scored position need no logits.
    const withoutLogits = input.contextTokens.length - 1 - result.reusedTokens;
    const withLogits = result.evaluatedTokens - withoutLogits;
    const ideal = batchedIdealMs(decodeCost, scoringPromptCost, logitsCost, scoringBatch, result.reusedTokens, withoutLogits, withLogits);
    add(phases.scoring, result.evaluatedTokens, ms, ideal, result.reusedTokens, input.scoredTokens.length * vocabularyWork.logSoftmaxMs);
    return result;
};

const plain = args.template === "none" || (args.template === "auto" && !hasChatTemplate);
const config = synthesisConfigSchema.parse({
    seed: 5,
    candidateMode: args["candidate-mode"],
    parallel: 1,
    generatorTemplate: plain ? "none" : "chat",
    scorerTemplate: plain ? "none" : "paper",
    sampling: { maxTokens: Number(args["max-tokens"]) },
    // z may hold the opener and a whole draft (up to --max-tokens new tokens) and grow by rewrites.
    search: { maxSteps: Number(args["max-steps"]), candidates: Number(args.candidates), minThinkingTokens: 8, maxThinkingTokens: 4 * Number(args["max-tokens"]), stopThreshold: 0, acceptUnclosedRewrite: true }
});
const items: SynthesisInput[] = readBenchPairs(args.pairs, Number(args.items));
// As in bench:synth: a whole-paragraph opener and an edit pre-fill that opens <refine>, so a
// random-weight model's text still gives a search to measure.
const promptsDir = path.join(mkdtempSync(path.join(tmpdir(), "reer-roofline-prompts-")), "prompts");
cpSync(builtinPromptsDir, promptsDir, { recursive: true });
writeFileSync(path.join(promptsDir, "en", "openers.json"), JSON.stringify([{
    text: "Alright, the user wants a short piece, so I need to decide on the voice, the opening image and the one idea the reader should keep.\n\n",
    weight: 1
}]));
writeFileSync(path.join(promptsDir, "en", "edit-prefill.txt"), "Here is the better paragraph.\n<refine>");
const output = path.join(mkdtempSync(path.join(tmpdir(), "reer-roofline-")), "traces.jsonl");
console.log("");
console.log(`synthesis: ${items.length} items, ${config.search.candidates} ${resolveCandidateMode(config.candidateMode, loaded)} candidates x ${config.search.maxSteps} steps, ` +
    `up to ${config.sampling.maxTokens} new tokens per call, sampler temperature ${config.sampling.temperature} top-p ${config.sampling.topP} top-k ${config.sampling.topK || "off"}`);
vocabularyWork = await vocabularyCosts({ temperature: config.sampling.temperature, topP: config.sampling.topP, topK: config.sampling.topK, seed: config.seed }, 20);
console.log(`over the vocabulary (${vocabulary} tokens): sampling ${fixed(vocabularyWork.samplingMs, 3)} ms ` +
    `(greedy: ${fixed(vocabularyWork.greedyMs, 3)} ms), log-softmax per scored position ${fixed(vocabularyWork.logSoftmaxMs, 3)} ms`);
let wallMs = 0;
const synthesisReading = cpuReading();
{
    const started = performance.now();
    await runSynthesis({
        items, output, config, generatorModel: loaded, scorerModel: loaded, prompts: new PromptSet(promptsDir), threads,
        onEvent: (event) => {
            if (event.type === "item")
            {
                const note = recordNote(event.record);
                console.log(`  ${event.record.id}: ${event.record.status}${note == null ? "" : ` (${note})`}, ${event.record.steps.length} steps`);
            }
        }
    });
    wallMs = performance.now() - started;
}

const inCalls = phases.decode.ms + phases.prompt.ms + phases.scoring.ms;
const otherMs = Math.max(0, wallMs - inCalls);
const idealTotal = phases.decode.idealMs + phases.prompt.idealMs + phases.scoring.idealMs;
const percent = (part: number, whole: number) => `${fixed(whole > 0 ? 100 * part / whole : 0)}%`;
const row = (name: string, p: Phase, limitName: string) => {
    const meanDepth = p.tokens > 0 ? p.depthSum / p.tokens : 0;
    return `| ${name} | ${p.tokens} | ${fixed(p.ms / 1000, 2)} | ${fixed(p.tokens / (p.ms / 1000))} | ` +
        `${fixed(p.tokens / (p.idealMs / 1000))} (${limitName}, mean depth ${Math.round(meanDepth)}) | ${fixed(p.idealMs / p.ms, 2)} | ${percent(p.vocabularyMs, p.ms)} |`;
};
console.log("");
console.log("| phase | tokens | time (s) | tokens/s | limit tokens/s | ratio | over the vocabulary |");
console.log("|---|---|---|---|---|---|---|");
console.log(row("decoding", phases.decode, "greedy decoding"));
console.log(row("prompt evaluation", phases.prompt, "batched evaluation"));
console.log(row("scoring", phases.scoring, "evaluation with logits"));
const vocabularyMs = phases.decode.vocabularyMs + phases.prompt.vocabularyMs + phases.scoring.vocabularyMs;
console.log(`| everything else | - | ${fixed(otherMs / 1000, 2)} | - | - | - | - |`);
console.log(`| end to end | - | ${fixed(wallMs / 1000, 2)} | - | ideal ${fixed(idealTotal / 1000, 2)} s | ${fixed(idealTotal / wallMs, 2)} | ${percent(vocabularyMs, wallMs)} |`);
console.log("");
console.log(`targets: decoding >= 0.85 of greedy at the same depth (greedy ${fixed(rate(decodeCost, phases.decode.depthSum / Math.max(1, phases.decode.tokens)))} tokens/s there), ` +
    "prompt evaluation >= 0.85, scoring >= 0.85 of evaluation with logits, end to end >= 0.8");
console.log(`machine during the limits: ${othersLine(startReading, synthesisReading)}; during the synthesis: ${othersLine(synthesisReading, cpuReading())}`);
console.log(`time shares: decoding ${fixed(100 * phases.decode.ms / wallMs)}%, prompt evaluation ${fixed(100 * phases.prompt.ms / wallMs)}%, ` +
    `scoring ${fixed(100 * phases.scoring.ms / wallMs)}%, everything else ${fixed(100 * otherMs / wallMs)}%`);
console.log("over the vocabulary: sampling each decoded token, the log-softmax of each scored position (timed as above)");
// One line for a table across models: the ratios, then the vocabulary's share of decoding, scoring and end to end.
const ratio = (p: Phase) => fixed(p.idealMs / p.ms, 2);
console.log(`ROOFLINE_ROW | ${loaded.identity.name}, ${threads} thread(s) | ${ratio(phases.decode)} | ${ratio(phases.prompt)} | ${ratio(phases.scoring)} | ` +
    `${fixed(idealTotal / wallMs, 2)} | ${percent(phases.decode.vocabularyMs, phases.decode.ms)} / ${percent(phases.scoring.vocabularyMs, phases.scoring.ms)} / ${percent(vocabularyMs, wallMs)} |`);
await loaded.dispose();
process.exit(0);
