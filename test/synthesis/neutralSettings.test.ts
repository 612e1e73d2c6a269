import { describe, expect, it } from "vitest";
import { withNeutralSettings } from "../../src/config/neutralSettings.js";
import { synthesisConfigSchema } from "../../src/config/synthesisConfig.js";
import { configHash } from "../../src/synthesis/configHash.js";

const model = { path: "/m.gguf", name: "m", sizeBytes: 1, headSha256: "a".repeat(64), architecture: "llama" };
const hashOf = (config: unknown) => configHash(synthesisConfigSchema.parse(config), model, model, "prompts");

describe("settings added after the paper preset", () => {
    it("hash the same absent and at their neutral values, so earlier outputs resume", () => {
        const paper = synthesisConfigSchema.parse({});
        expect(hashOf(withNeutralSettings(paper))).toBe(hashOf({}));
        expect(hashOf({ search: { proposer: "rewrite", redrafts: 0, constrainRewrite: false, maxDraftRepetition: 1 }, sampling: { repeatPenalty: 1, dryStrength: 0 } })).toBe(hashOf({}));
    });

    it("hash the same whatever order they were set in (a preset applies its settings after the flags)", () => {
        const paper = synthesisConfigSchema.parse({});
        const presetLast = { ...paper, search: { ...paper.search, constrainRewrite: true } };
        const flagged = synthesisConfigSchema.parse({ search: { constrainRewrite: true } });
        expect(Object.keys(presetLast.search)).not.toEqual(Object.keys(flagged.search));
        expect(configHash(presetLast, model, model, "prompts")).toBe(configHash(flagged, model, model, "prompts"));
    });

    it("hash differently when set to anything else", () => {
        for (const changed of [{ search: { proposer: "both" } }, { search: { redrafts: 1 } }, { search: { constrainRewrite: true } },
            { search: { maxDraftRepetition: 0.5 } }, { sampling: { repeatPenalty: 1.1 } }, { sampling: { dryStrength: 0.8 } }])
            expect(hashOf(changed), JSON.stringify(changed)).not.toBe(hashOf({}));
    });
});
