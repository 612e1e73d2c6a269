import { describe, expect, it } from "vitest";
import { synthesisConfigSchema } from "../../src/config/synthesisConfig.js";
import type { LoadedModel } from "../../src/model/LoadedModel.js";
import { adaptToModels } from "../../src/synthesis/adaptToModels.js";

const paper = synthesisConfigSchema.parse({});
/** Only the size of the generator matters to the adaptation. */
const generatorOf = (parameterCount: number) => ({ parameterCount }) as LoadedModel;
// One item: prompts of 1000 (initial), 1500 (edit) and 900 (scoring) tokens before any thinking.
const bases = [{ initial: 1000, edit: 1500, scoring: 900 }];
const caps = { generator: 8192, scorer: 8192 };

describe("adaptToModels", () => {
    it("auto on a small generator: the small-model preset, said, and its cap kept where it fits", () => {
        const { config, notes } = adaptToModels(paper, new Set(), generatorOf(135e6), bases, caps);
        expect(config.sampling.maxTokens).toBe(512);
        expect(config.search).toMatchObject({ constrainRewrite: true, redrafts: 3, maxDraftRepetition: 0.5, screenDraftCopies: true, maxVerbatimChars: 60,
            draftPrompt: "plan", initialDrafts: 3, objective: "meanNll", prune: true, proposer: "resample" });
        expect(config.sampling).toMatchObject({ temperature: 0.6, dryStrength: 0.8 });
        expect(notes).toEqual([expect.stringMatching(/^--max-tokens 512 --constrain-rewrite --redrafts 3 --max-draft-repetition 0.5 --screen-draft-copies --max-verbatim-chars 60 --temperature 0.6 --dry 0.8 --draft-prompt plan --initial-drafts 3 --objective meanNll --prune --proposer resample \(the small-model preset: the generator has 135M parameters/u)]);
    });

    it("lowers a cap that does not fit, whoever set it, and says so", () => {
        // edit 1500 + 3n <= 8192 -> n <= 2230; scoring 900 + 2n <= 8192; initial 1000 + n <= 8192.
        const large = adaptToModels(paper, new Set(), generatorOf(7e9), bases, caps);
        expect(large.config.sampling.maxTokens).toBe(2230);
        expect(large.notes).toEqual([expect.stringMatching(/^--max-tokens 2230 \(8000 does not fit the contexts/u)]);
        // A 2048-token scorer: 900 + 2n <= 2048 -> n <= 574, so even the preset's 512 fits; at 1536, 900 + 2n <= 1536 -> n <= 318.
        const tight = adaptToModels(paper, new Set(), generatorOf(135e6), bases, { generator: 8192, scorer: 1536 });
        expect(tight.config.sampling.maxTokens).toBe(318);
        expect(tight.notes[1]).toMatch(/^--max-tokens 318 \(512 does not fit the contexts/u);
    });

    it("never changes what the user gave, and leaves a large generator on the paper's settings", () => {
        const explicit = new Set(["sampling.maxTokens", "search.maxVerbatimChars", "search.constrainRewrite"]);
        const given = { ...paper, sampling: { ...paper.sampling, maxTokens: 300 }, search: { ...paper.search, maxVerbatimChars: 200, constrainRewrite: false } };
        const { config } = adaptToModels(given, explicit, generatorOf(135e6), bases, caps);
        expect(config.sampling.maxTokens).toBe(300);
        expect(config.search.maxVerbatimChars).toBe(200);
        expect(config.search.constrainRewrite).toBe(false);
        expect(config.search.redrafts).toBe(3);

        const large = adaptToModels(paper, new Set(), generatorOf(7e9), bases, { generator: 32768, scorer: 32768 });
        expect(large.config).toEqual(paper);
        expect(large.notes).toEqual([]);
    });

    it("--preset small applies the preset to a large generator too", () => {
        const { config } = adaptToModels(paper, new Set(), generatorOf(7e9), bases, { generator: 32768, scorer: 32768 }, "small");
        expect(config.search.redrafts).toBe(3);
        expect(config.sampling.maxTokens).toBe(512);
    });
});
