/**
 * Scoring benchmark. Every number it prints is a ratio of two timings taken in this run,
 * on the same model, threads and tokens, so a noisy machine moves both sides alike.
 *
 *   npm run bench:score -- [--model models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf]
 *                          [--threads N] [--prefix 1000] [--scored 200] [--candidates 4] [--stock-tokens 96] [--parts 1,2,3] [--gpu off|auto|cuda|vulkan|metal]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Token } from "node-llama-cpp";
import { decodeWithLogitReader } from "../src/runtime/nodeLlamaInternals.js";
import { ScoringContext } from "../src/scoring/ScoringContext.js";
import type { ScoringTokens } from "../src/scoring/ScoringTokens.js";
import { loadBenchModel, modelArgOptions, sharedPairsPath, timed as time } from "./bench/harness.js";

const { values: args } = parseArgs({
    options: {
        ...modelArgOptions,
        prefix: { type: "string", default: "1000" },
        scored: { type: "string", default: "200" },
        candidates: { type: "string", default: "4" },
        "stock-tokens": { type: "string", default: "96" },
        parts: { type: "string", default: "1,2,3" },
        text: { type: "string", default: sharedPairsPath() }
    }
});

const P = Number(args.prefix);
const S = Number(args.scored);
const K = Number(args.candidates);
const stockTokens = Number(args["stock-tokens"]);

const { model, threads } = await loadBenchModel(args);
console.log(`model ${model.identity.name} (${model.identity.architecture}), ${model.runtime.describe()}, threads ${threads}`);
if (!model.runtime.hasFastScoring)
    throw new Error("the fast path is missing: run npm run build:native first");

// Real text, tokenised once and cycled to the lengths wanted.
const corpus = readFileSync(args.text!, "utf8").split("\n").filter(Boolean)
    .map((line) => (JSON.parse(line) as { response: string }).response).join("\n\n");
const pool = model.tokenizeText(corpus, "the benchmark text", false);
const take = (count: number, offset: number): Token[] => Array.from({ length: count }, (_, i) => pool[(offset + i) % pool.length]!);
const prefix = [...model.leadingBos, ...take(P - model.leadingBos.length, 0)];
const candidates: ScoringTokens[] = Array.from({ length: K }, (_, k) => ({
    contextTokens: prefix,
    scoredTokens: take(S, 5000 + 977 * k)
}));

const scorer = await ScoringContext.create(model, { threads, tokensNeeded: P + S + 8, batchSize: 512 });
const worker = scorer.scorers[0]!;
const seq = (worker as unknown as { sequence: import("node-llama-cpp").LlamaContextSequence }).sequence;

// Warm-up: first decodes allocate buffers.
await worker.score(candidates[0]!);
await seq.clearHistory();

const parts = new Set(args.parts!.split(",").map((part) => part.trim()));

// (1) Scoring vs raw evaluation of the same tokens with logits on, from an empty cache.
const full = [...prefix, ...candidates[0]!.scoredTokens];
const rawTokens = full.slice(0, -1);
const logits = rawTokens.map((_, i) => i >= P - 1);
const rounds = parts.has("1") ? 2 : 0;
let raw = 0;
let scored = 0;
for (let round = 0; round < rounds; round++) {
    await seq.clearHistory();
    raw += (await time(() => decodeWithLogitReader(seq, rawTokens, logits, () => 0)))[0];
    await seq.clearHistory();
    scored += (await time(() => worker.score(candidates[0]!)))[0];
}
await seq.clearHistory();
if (parts.has("1"))
    console.log(`(1) scoring / raw evaluation (same ${rawTokens.length} tokens, ${S} with logits): ${(scored / raw).toFixed(3)}  [target <= 1.15]` +
    `  (${(scored / rounds / rawTokens.length).toFixed(2)} vs ${(raw / rounds / rawTokens.length).toFixed(2)} ms/token)`);

// (2) Fast vs stock path on the same scored tokens after a cached prefix.
if (parts.has("2")) {
    const stockInput: ScoringTokens = { contextTokens: prefix, scoredTokens: candidates[1]!.scoredTokens.slice(0, stockTokens) };
    const stockScorer = await ScoringContext.create(model, { threads, tokensNeeded: P + S + 8, batchSize: 512, path: "stock" });
    const stockWorker = stockScorer.scorers[0]!;
    await worker.score({ contextTokens: prefix, scoredTokens: candidates[2]!.scoredTokens.slice(0, 4) });
    await stockWorker.score({ contextTokens: prefix, scoredTokens: candidates[2]!.scoredTokens.slice(0, 4) });
    const [fastTime, fastResult] = await time(() => worker.score(stockInput));
    const [stockTime, stockResult] = await time(() => stockWorker.score(stockInput));
    let worst = 0;
    for (let i = 0; i < fastResult.tokenCount; i++)
        worst = Math.max(worst, Math.abs(fastResult.tokenLogprobs[i]! - stockResult.tokenLogprobs[i]!));
    console.log(`(2) fast path speed-up over stock (${stockTokens} tokens after a cached ${P}-token prefix): ${(stockTime / fastTime).toFixed(1)}x  [target >= 8x]` +
        `  (per-token max |diff| ${worst.toExponential(2)}; reused ${fastResult.reusedTokens}/${stockResult.reusedTokens})`);
    await stockScorer.dispose();
}

// (3) K candidates sharing a P-token prefix: reuse vs a cleared cache for each.
if (parts.has("3")) {
    await seq.clearHistory();
    const [reuseTime] = await time(async () => {
        for (const candidate of candidates)
            await worker.score(candidate);
    });
    const [noReuseTime] = await time(async () => {
        for (const candidate of candidates) {
            await seq.clearHistory();
            await worker.score(candidate);
        }
    });
    const expected = (P + K * S) / (K * (P + S));
    console.log(`(3) K=${K} candidates, ${P}-token shared prefix, ${S} scored: reuse / no reuse = ${(reuseTime / noReuseTime).toFixed(3)}` +
        `  [ideal (P + K*S) / (K*(P + S)) = ${expected.toFixed(3)}]`);
}

await scorer.dispose();
await model.dispose();
process.exit(0);
