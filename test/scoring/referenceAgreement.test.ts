import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { PlainScoringLayout } from "../../src/scoring/PlainScoringLayout.js";
import { ScoringContext } from "../../src/scoring/ScoringContext.js";
import { LlamaReferenceModel } from "../reference/LlamaReferenceModel.js";
import { loadSamplePairs } from "../support/pairs.js";
import { needsFastPath, nativeFastPath, skipWithout } from "../support/nativeFastPath.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const fastScoring = (await nativeFastPath()).scoring;

// The scorer against a float64 forward pass that shares no code with it.
describe("scorer log-probabilities vs the float64 reference forward pass", () => {
    let model: LoadedModel;
    let reference: LlamaReferenceModel;
    beforeAll(async () => {
        model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
        reference = await LlamaReferenceModel.load(stories260kPath);
    });
    afterAll(async () => {
        await model?.dispose();
    });

    for (const path of ["fast", "stock"] as const) {
        const available = path === "stock" || fastScoring;
        it.skipIf(skipWithout(available))(needsFastPath(`agrees within 1e-3 per token on the ${path} path, with and without z`, available), async () => {
            const pairs = loadSamplePairs();
            const layout = new PlainScoringLayout(model, { splitHead: true });
            const inputs = [
                layout.frame(pairs[3]!.prompt, pairs[3]!.response).tokensFor(""),
                layout.frame(pairs[20]!.prompt, pairs[20]!.response).tokensFor("I want a gentle poem that sounds like a song.")
            ];
            const scorer = await ScoringContext.create(model, { threads: 1, tokensNeeded: 1024, path });
            try {
                let worst = 0;
                for (const input of inputs) {
                    const scores = await scorer.scorers[0]!.score(input);
                    const expected = reference.teacherForcedLogprobs([...input.contextTokens, ...input.scoredTokens], input.contextTokens.length);
                    expect(expected).toHaveLength(scores.tokenCount);
                    for (let i = 0; i < scores.tokenCount; i++)
                        worst = Math.max(worst, Math.abs(scores.tokenLogprobs[i]! - expected[i]!));
                }
                expect(worst).toBeLessThan(1e-3);
            } finally {
                await scorer.dispose();
            }
        });
    }
});
