// The two catalogue models in the process: their own chat templates, generation that stops
// at their end-of-turn token, the pre-filled <think> opener, and fast exact scoring equal
// to node-llama-cpp's stock path on a 49k and a 262k vocabulary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationContext } from "../../src/generation/GenerationContext.js";
import { GenerationPrompter } from "../../src/generation/GenerationPrompter.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { ChatTemplate } from "../../src/prompts/ChatTemplate.js";
import { PromptSet } from "../../src/prompts/PromptSet.js";
import { tokenizePromptParts } from "../../src/prompts/tokenizePromptParts.js";
import { createLayout } from "../../src/scoring/scoreRecords.js";
import { ScoringContext } from "../../src/scoring/ScoringContext.js";
import { loadSamplePairs } from "../support/pairs.js";
import { realModels, realModelsMissing } from "../support/realModels.js";

const pairs = loadSamplePairs();
const pair = pairs[0]!;
/** The stock path builds a map of the whole vocabulary per scored token (~0.1 s at 262k): score the shortest answer. */
const shortest = [...pairs].sort((a, b) => a.response.length - b.response.length)[0]!;

describe.skipIf(realModelsMissing)("SmolLM2-135M-Instruct as the generator", () => {
    let model: LoadedModel;
    let generator: GenerationContext;

    beforeAll(async () => {
        model = await LoadedModel.load(realModels.smollm2, { gpu: "off" });
        generator = await GenerationContext.create(model, { threads: 1, contextSize: 2048, groups: 1, lanesPerGroup: 1 });
    });

    afterAll(async () => {
        await generator?.dispose();
        await model?.dispose();
    });

    it("builds prompts in the model's own ChatML template, ending with the pre-filled <think> and opener", () => {
        const prompter = new GenerationPrompter(model, new PromptSet(), "chat");
        const prompt = prompter.initial(pair.prompt, pair.response, "Alright, the user");
        const text = model.detokenize(prompt.tokens, true);
        expect(text.startsWith("<|im_start|>system\n")).toBe(true);
        expect(text).toContain(`<|im_start|>user\n`);
        expect(text.endsWith("<|im_end|>\n<|im_start|>assistant\n<think>\nAlright, the user")).toBe(true);
        // The ChatML markers are the model's special tokens, not text spelled out in pieces.
        const imStart = model.tokenizeMarkup("<|im_start|>", "a marker");
        expect(imStart).toHaveLength(1);
        expect(prompt.tokens.filter((token) => token === imStart[0]).length).toBe(3);
        expect(prompt.prefill).toBe("<think>\nAlright, the user");
    });

    it("stops a turn at its end-of-turn token, which never appears in the text", async () => {
        const template = new ChatTemplate(model.chatTemplate!, model.specialTokenTexts);
        const tokens = tokenizePromptParts(model, template.renderOpenAssistantTurn([
            { role: "system", content: "You are a helpful assistant." },
            { role: "user", content: "What is the capital of France? Answer in one short sentence." }
        ]), "the test prompt");
        await generator.withGroup(async ([lane]) => {
            const generation = await lane!.generate(tokens, { temperature: 0, topP: 1, topK: 0, seed: 1, maxTokens: 120 });
            expect(generation.stop).toBe("eog");
            expect(generation.tokens).toBeLessThan(120);
            expect(generation.text).toMatch(/Paris/u);
            expect(generation.text).not.toContain("<|im_end|>");
        });
    });
});

/** Fast and stock scores of one z on a model, per token. */
async function worstTokenDifference(modelPath: string, template: "paper" | "none"): Promise<{ worst: number; tokens: number }> {
    const model = await LoadedModel.load(modelPath, { gpu: "off" });
    try {
        const layout = createLayout(model, template);
        const input = layout.frame(shortest.prompt, shortest.response).tokensFor("Alright, the user wants a fable about frogs and an ox.\n\nThe old frog puffs herself up.");
        const scoreOn = async (path: "fast" | "stock") => {
            const scorer = await ScoringContext.create(model, { threads: 1, tokensNeeded: input.contextTokens.length + input.scoredTokens.length, path });
            try {
                return await scorer.scorers[0]!.score(input);
            } finally {
                await scorer.dispose();
            }
        };
        const fast = await scoreOn("fast");
        const stock = await scoreOn("stock");
        expect(fast.tokenCount).toBe(input.scoredTokens.length);
        expect(stock.tokenCount).toBe(fast.tokenCount);
        let worst = 0;
        for (let i = 0; i < fast.tokenCount; i++)
            worst = Math.max(worst, Math.abs(fast.tokenLogprobs[i]! - stock.tokenLogprobs[i]!));
        return { worst, tokens: fast.tokenCount };
    } finally {
        await model.dispose();
    }
}

// Before the stock path renormalised its map in double, it sat 1.6e-4 (49k) and 5e-4 (262k)
// nats above the fast path on every token: node-llama-cpp sums the map in float32.
describe.skipIf(realModelsMissing)("fast exact scoring on real vocabularies", () => {
    it("equals the stock path within 1e-4 per token on SmolLM2 (49k vocabulary, paper layout)", async () => {
        const { worst, tokens } = await worstTokenDifference(realModels.smollm2, "paper");
        expect(tokens).toBeGreaterThan(30);
        expect(worst).toBeLessThan(1e-5);
    });

    it("equals the stock path within 1e-4 per token on Gemma-3-270M (262k vocabulary, plain layout: a base model has no chat template)", async () => {
        const { worst, tokens } = await worstTokenDifference(realModels.gemma, "none");
        expect(tokens).toBeGreaterThan(30);
        expect(worst).toBeLessThan(1e-5);
    });
});
