import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationContext } from "../../src/generation/GenerationContext.js";
import { rewriteGrammarLimits, rewriteGrammarSource } from "../../src/generation/rewriteGrammar.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { screenCandidate } from "../../src/search/RefinementLoop.js";
import { paperSearchConfig } from "../../src/config/searchConfig.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

let model: LoadedModel;
let generator: GenerationContext;

beforeAll(async () => {
    model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
    generator = await GenerationContext.create(model, { threads: 1, contextSize: 1024, groups: 1, lanesPerGroup: 1 });
});

afterAll(async () => {
    await generator?.dispose();
    await model?.dispose();
});

/** The turn the grammar allows, written as a regular expression independently of the GBNF text. */
const constrainedTurn = /^([^<]*)<\/analyze>\n<refine>\n([^<\n\t ][^<\n]*)\n<\/refine>$/u;

describe("constrained rewrites", () => {
    it("bounds analysis and rewrite so the turn fits the token cap at two characters per token", () => {
        for (const maxNewTokens of [100, 512, 1500, 8000]) {
            const { analysisChars, rewriteChars } = rewriteGrammarLimits({ maxNewTokens });
            expect((analysisChars + rewriteChars) / 2 + 10).toBeLessThanOrEqual(maxNewTokens);
        }
    });

    it("makes a model that knows nothing of the format end every turn with one closed, usable <refine> block", async () => {
        // stories260K has never seen a tag: free sampling would almost never write one.
        const grammar = model.compileGrammar(rewriteGrammarSource({ maxNewTokens: 160 }));
        const { analysisChars, rewriteChars } = rewriteGrammarLimits({ maxNewTokens: 160 });
        const prompt = [...model.leadingBos, ...model.tokenizeText("Once upon a time there was a cat.", "the test prompt", false)];
        await generator.withGroup(async ([lane]) => {
            for (let seed = 1; seed <= 4; seed++) {
                // Room beyond the grammar's own bound: the turn must end because the grammar is complete.
                const generation = await lane!.generate(prompt, { temperature: 0.8, topP: 0.85, topK: 0, seed, maxTokens: 700, grammar });
                expect(generation.stop).toBe("eog");
                const match = constrainedTurn.exec(generation.text);
                expect(match, JSON.stringify(generation.text)).not.toBeNull();
                expect(match![1]!.length).toBeLessThanOrEqual(analysisChars);
                expect(match![2]!.length).toBeLessThanOrEqual(rewriteChars);
                const screened = screenCandidate({ raw: `<analyze>\n${generation.text}` }, "something else", "an unrelated answer", paperSearchConfig);
                expect(screened.status).toBe("scored");
                expect(screened.text).toBe(match![2]!.trim());
            }
        });
    });
});
