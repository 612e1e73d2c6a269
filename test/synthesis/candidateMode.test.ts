import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { resolveCandidateMode } from "../../src/synthesis/candidateMode.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

let model: LoadedModel;

beforeAll(async () => {
    model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
});

afterAll(async () => {
    await model?.dispose();
});

describe("candidate mode", () => {
    it("auto generates candidates one after another when the generator runs on the CPU", () => {
        expect(model.model.gpuLayers).toBe(0);
        expect(resolveCandidateMode("auto", model)).toBe("sequential");
    });

    it("an explicit mode is kept as given", () => {
        expect(resolveCandidateMode("concurrent", model)).toBe("concurrent");
        expect(resolveCandidateMode("sequential", model)).toBe("sequential");
    });
});
