import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Generator } from "../../src/generation/Generator.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

let model: LoadedModel;
let generator: Generator;

beforeAll(async () => {
    model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
    generator = await Generator.create(model, { threads: 1, contextSize: 256, groups: 1, lanesPerGroup: 1 });
});

afterAll(async () => {
    await generator?.dispose();
    await model?.dispose();
});

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
    it("topK 0 samples from the whole vocabulary, not from a hidden default top-k", async () => {
        // Sanity: the same draws under top-k 8 never leave the 8 most likely tokens...
        expect((await firstTokens(8, 120)).size).toBeLessThanOrEqual(8);
        // ...while with top-k off, a 512-token vocabulary at temperature 4 gives far more
        // than node-llama-cpp's default of 40 distinct tokens in 300 draws.
        expect((await firstTokens(0, 300)).size).toBeGreaterThan(40);
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
