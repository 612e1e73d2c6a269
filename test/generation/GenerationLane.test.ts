import type { Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationLane } from "../../src/generation/GenerationLane.js";
import { GenerationContext } from "../../src/generation/GenerationContext.js";
import { readNativeBinaryFacts } from "../../src/runtime/nodeLlamaInternals.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { AbortedError } from "../../src/util/AbortedError.js";
import { nativeFastPath, needsFastPath, skipWithout } from "../support/nativeFastPath.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const fastPath = await nativeFastPath();

let model: LoadedModel;
let generator: GenerationContext;
let threeLanes: GenerationContext;

beforeAll(async () => {
    model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
    generator = await GenerationContext.create(model, { threads: 1, contextSize: 256, groups: 1, lanesPerGroup: 1 });
    threeLanes = await GenerationContext.create(model, { threads: 1, contextSize: 256, groups: 1, lanesPerGroup: 3 });
});

afterAll(async () => {
    await generator?.dispose();
    await threeLanes?.dispose();
    await model?.dispose();
});

const tokensOf = (text: string) => [...model.leadingBos, ...model.tokenizeText(text, "the test prompt", false)];

/** The distinct first tokens drawn from one prompt over many seeds. */
async function firstTokens(topK: number, draws: number): Promise<Set<string>> {
    const prompt = [...model.leadingBos, ...model.tokenizeText("Once upon a time", "the test prompt", false)];
    const seen = new Set<string>();
    await generator.withGroup(async ([lane]) => {
        for (let seed = 1; seed <= draws; seed++) {
            // A high temperature flattens the distribution, so a top-k cut would show at once.
            const generation = await lane!.generate(prompt, { temperature: 4, topP: 1, topK, seed, maxTokens: 1 });
            seen.add(generation.text);
        }
    });
    return seen;
}

describe("GenerationLane sampling", () => {
    // Holds with or without native/sampler-top-k.patch: the patch drops the top-k sampler
    // for top-k 0 instead of running one over the whole vocabulary, which keeps the same
    // tokens but sorts all of them on every draw. No sampled token shows the difference,
    // so the test below checks that the loaded binary was built with the patch.
    it("topK 0 samples from the whole vocabulary, not from a hidden default top-k", async () => {
        // Sanity: the same draws under top-k 8 never leave the 8 most likely tokens...
        expect((await firstTokens(8, 120)).size).toBeLessThanOrEqual(8);
        // ...while with top-k off, a 512-token vocabulary at temperature 4 gives far more
        // than node-llama-cpp's default of 40 distinct tokens in 300 draws.
        expect((await firstTokens(0, 300)).size).toBeGreaterThan(40);
    });

    it.skipIf(skipWithout(fastPath.scoring))(needsFastPath("the loaded binary was built with native/sampler-top-k.patch", fastPath.scoring), () => {
        // The patch exports reerSamplerTopK; a binary from the same native/ without it would be "incomplete".
        expect(readNativeBinaryFacts(model.runtime.llama).samplerPatch).toBe(true);
        expect(model.runtime.nativeState.kind).toBe("current");
    });

    it("the paper's sampler draws each token of the nucleus with its tempered probability, and nothing outside it", async () => {
        const prompt = tokensOf("She saw a");
        const lead = prompt.slice(-8);
        const temperature = 0.8;
        const topP = 0.85;
        // The model's whole next-token distribution, from a context of its own (greedy
        // decoding samples nothing away); the nucleus and its tempered probabilities in float64.
        const context = await model.model.createContext({ contextSize: 64, sequences: 1, threads: 1 });
        let distribution: [Token, number][];
        try {
            const evaluated = await context.getSequence().controlledEvaluate([...prompt.slice(0, -1), [prompt.at(-1)!, { generateNext: { probabilities: true } }]]);
            distribution = [...evaluated.at(-1)!.next!.probabilities!].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
        } finally {
            await context.dispose();
        }
        const total = distribution.reduce((sum, [, p]) => sum + p, 0);
        let nucleus = 0;
        for (let mass = 0; mass < topP * total; nucleus++) mass += distribution[nucleus]![1];
        expect(nucleus).toBeGreaterThan(5);
        const head = distribution.slice(0, nucleus);
        const byText = (weight: (p: number) => number): Map<string, number> => {
            const weights = new Map<string, number>();
            for (const [token, p] of head) {
                const text = model.detokenize([token], false, lead);
                weights.set(text, (weights.get(text) ?? 0) + weight(p));
            }
            const sum = [...weights.values()].reduce((a, b) => a + b, 0);
            return new Map([...weights].map(([text, w]) => [text, w / sum]));
        };

        const draws = 3000;
        const counts = new Map<string, number>();
        await generator.withGroup(async ([lane]) => {
            for (let seed = 1; seed <= draws; seed++) {
                const { text } = await lane!.generate(prompt, { temperature, topP, topK: 0, seed, maxTokens: 1 });
                counts.set(text, (counts.get(text) ?? 0) + 1);
            }
        });
        const tempered = byText((p) => p ** (1 / temperature));
        expect([...counts.keys()].filter((text) => !tempered.has(text))).toEqual([]);
        expect(chiSquareRejects(counts, tempered, draws)).toBe(false);
        // The same draws are far from the nucleus at temperature 1: the test tells them apart.
        expect(chiSquareRejects(counts, byText((p) => p), draws)).toBe(true);
    });

    it("the same seed gives the same text", async () => {
        const prompt = [...model.leadingBos, ...model.tokenizeText("The little dog", "the test prompt", false)];
        const runs = await generator.withGroup(async ([lane]) => {
            const sampling = { temperature: 0.8, topP: 0.85, topK: 0, seed: 7, maxTokens: 24 };
            const first = await lane!.generate(prompt, sampling);
            await lane!.reset();
            const second = await lane!.generate(prompt, sampling);
            return [first, second];
        });
        expect(runs[1]!.text).toBe(runs[0]!.text);
        expect(runs[0]!.tokens).toBeGreaterThan(0);
    });
});

/** Words in the longest run of words that occurs twice in `text` (written here, apart from src/text). */
function longestRepeatedRun(text: string): number {
    const words = text.toLowerCase().split(/\s+/u).filter(Boolean);
    let longest = 0;
    for (let n = 1; n <= words.length; n++) {
        const seen = new Set<string>();
        const repeats = words.slice(n - 1).some((_, index) => {
            const run = words.slice(index, index + n).join(" ");
            return seen.has(run) || !seen.add(run);
        });
        if (!repeats)
            break;
        longest = n;
    }
    return longest;
}

describe("GenerationLane repetition controls", () => {
    // Greedy decoding of the tiny story model repeats whole sentences ("Lily was sad and
    // didn't know what to do. She said, ..." twice); each control must break the repeat.
    async function greedy(controls: { dryStrength?: number; repeatPenalty?: number }): Promise<string> {
        const prompt = tokensOf("Once upon a time");
        return generator.withGroup(async ([lane]) => {
            await lane!.reset();
            return (await lane!.generate(prompt, { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 240, ...controls })).text;
        });
    }

    it("DRY and the repetition penalty break a repeated sentence", async () => {
        const plain = await greedy({});
        expect(longestRepeatedRun(plain), plain).toBeGreaterThanOrEqual(10);
        for (const controls of [{ dryStrength: 0.8 }, { repeatPenalty: 1.3 }]) {
            const text = await greedy(controls);
            expect(longestRepeatedRun(text), `${JSON.stringify(controls)}: ${text}`).toBeLessThanOrEqual(longestRepeatedRun(plain) / 2);
        }
    });
});

describe("GenerationLane prompt sharing", () => {
    it.skipIf(skipWithout(fastPath.sequenceCopy))(needsFastPath("the binary has the native sequence copy", fastPath.sequenceCopy), () => {
        expect(model.runtime.nativeSequenceCopy).toBeDefined();
    });

    it.skipIf(skipWithout(fastPath.sequenceCopy))(needsFastPath("a lane that received a copied prompt generates exactly what a lane that evaluated it itself generates", fastPath.sequenceCopy), async () => {
        const prompt = tokensOf("Once upon a time there was a little girl named Lily. She loved to play outside with her red ball.");
        const other = tokensOf("The big brown dog ran to the park");
        const sampling = { temperature: 0.8, topP: 0.85, topK: 0, seed: 11, maxTokens: 32 };
        let fromCopiedLane = "";
        await threeLanes.withGroup(async ([source, copied]) => {
            // The receiving lane first holds something else, so a copy that did nothing would show.
            await copied!.generate(other, { ...sampling, maxTokens: 8 });
            const shared = await source!.sharePromptWith([copied!], prompt);
            expect(shared).toMatchObject({ evaluatedTokens: prompt.length - 1, copies: 1 });
            const fromCopy = await copied!.generate(prompt, sampling);
            expect(fromCopy.reusedPromptTokens).toBe(prompt.length - 1);
            fromCopiedLane = fromCopy.text;

            expect(fromCopy.tokens).toBeGreaterThan(0);
        });

        // The oracle: a sequence of its own context evaluates the same tokens in the same split.
        const context = await model.model.createContext({ contextSize: 256, sequences: 1, threads: 1, batchSize: 256, flashAttention: false });
        try {
            const sequence = context.getSequence();
            await sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(0, -1));
            const fromOwn = await new GenerationLane(model, sequence).generate(prompt, sampling);
            expect(fromOwn.reusedPromptTokens).toBe(prompt.length - 1);
            expect(fromOwn.text).toBe(fromCopiedLane);
        } finally {
            await context.dispose();
        }
    });

    it("reer and node-llama-cpp share one lock registry (one copy of lifecycle-utils)", async () => {
        const { createRequire } = await import("node:module");
        const fromReer = createRequire(import.meta.url).resolve("lifecycle-utils");
        const fromNodeLlamaCpp = createRequire(createRequire(import.meta.url).resolve("node-llama-cpp")).resolve("lifecycle-utils");
        expect(fromReer).toBe(fromNodeLlamaCpp);
    });
});

/**
 * Pearson's chi-square test of observed counts against expected probabilities, at a 1e-4
 * level: categories expected fewer than 5 times are pooled, and the critical value is the
 * Wilson-Hilferty approximation of the chi-square quantile.
 */
function chiSquareRejects(counts: Map<string, number>, probabilities: Map<string, number>, draws: number): boolean {
    const bins: { observed: number; expected: number }[] = [];
    const pooled = { observed: 0, expected: 0 };
    for (const [text, p] of probabilities) {
        const bin = { observed: counts.get(text) ?? 0, expected: p * draws };
        if (bin.expected >= 5) bins.push(bin);
        else {
            pooled.observed += bin.observed;
            pooled.expected += bin.expected;
        }
    }
    if (pooled.expected > 0) bins.push(pooled);
    const statistic = bins.reduce((sum, { observed, expected }) => sum + (observed - expected) ** 2 / expected, 0);
    const freedom = bins.length - 1;
    const z = 3.719; // the standard normal's 1 - 1e-4 quantile
    const critical = freedom * (1 - 2 / (9 * freedom) + z * Math.sqrt(2 / (9 * freedom))) ** 3;
    return statistic > critical;
}

/** A signal that reads as aborted from its `after`-th check on: stands in for a Ctrl-C that lands mid-call. */
function abortsAfter(after: number): { signal: AbortSignal; checks: () => number } {
    let checks = 0;
    const signal = { get aborted() { return ++checks >= after; } } as AbortSignal;
    return { signal, checks: () => checks };
}

describe("GenerationLane stops", () => {
    const prompt = () => tokensOf("Once upon a time there was a little girl named Lily. She loved to play outside with her red ball. One day she saw a big dog in the park.");
    const sampling = { temperature: 0.8, topP: 0.85, topK: 0, seed: 5, maxTokens: 40 };

    it("with a signal, evaluates a long prompt a batch at a time and generates exactly what it generates without one", async () => {
        const small = await GenerationContext.create(model, { threads: 1, contextSize: 256, groups: 1, lanesPerGroup: 1, batchSize: 8 });
        try {
            expect(prompt().length).toBeGreaterThan(3 * 8);
            const [plain, watched] = await small.withGroup(async ([lane]) => {
                const first = await lane!.generate(prompt(), sampling);
                await lane!.reset();
                const second = await lane!.generate(prompt(), { ...sampling, signal: new AbortController().signal });
                return [first, second];
            });
            expect(watched.text).toBe(plain.text);
            expect(watched.tokens).toBe(plain.tokens);
            expect(watched.reusedPromptTokens).toBe(0);
        } finally {
            await small.dispose();
        }
    });

    it("a signal that fires mid-prompt or mid-generation ends the call with AbortedError at the next batch or token", async () => {
        const small = await GenerationContext.create(model, { threads: 1, contextSize: 256, groups: 1, lanesPerGroup: 1, batchSize: 8 });
        try {
            await small.withGroup(async ([lane]) => {
                const aborted = new AbortController();
                aborted.abort();
                await expect(lane!.generate(prompt(), { ...sampling, signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);

                // Fires between two prompt batches: nothing is generated.
                let tokens = 0;
                const midPrompt = abortsAfter(3);
                await expect(lane!.generate(prompt(), { ...sampling, signal: midPrompt.signal, onToken: () => tokens++ })).rejects.toBeInstanceOf(AbortedError);
                expect(tokens).toBe(0);

                // Fires after a few new tokens: the loop stops there, far short of maxTokens.
                await lane!.reset();
                const batches = Math.floor((prompt().length - 1) / 8) + 1;
                const midGeneration = abortsAfter(batches + 5);
                await expect(lane!.generate(prompt(), { ...sampling, maxTokens: 200, signal: midGeneration.signal, onToken: () => tokens++ }))
                    .rejects.toBeInstanceOf(AbortedError);
                expect(tokens).toBeGreaterThan(0);
                expect(tokens).toBeLessThan(10);
            });
        } finally {
            await small.dispose();
        }
    });
});
