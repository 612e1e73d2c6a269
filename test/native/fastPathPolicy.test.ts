import { describe, expect, it } from "vitest";
import { decideFastPath, type FastPathInput } from "../../src/runtime/fastPathPolicy.js";
import { nativeBuildState, type NativeBuildState } from "../../src/runtime/nativeBuildState.js";

const shipped = "1111222233334444";
const current: NativeBuildState = { kind: "current", version: shipped };
const stale: NativeBuildState = { kind: "stale", binaryVersion: "aaaabbbbccccdddd", shippedVersion: shipped };
const absent: NativeBuildState = { kind: "absent" };
const decide = (input: Partial<FastPathInput>) =>
    decideFastPath({ backend: "cpu", buildType: "localBuild", state: current, allowStock: false, ...input });

describe("nativeBuildState", () => {
    const facts = { hasFunctions: true, version: shipped, samplerPatch: true };

    it("trusts only a binary carrying this native/ version and every addition", () => {
        expect(nativeBuildState(facts, shipped)).toEqual(current);
        expect(nativeBuildState({ ...facts, version: "aaaabbbbccccdddd" }, shipped)).toEqual(stale);
        expect(nativeBuildState({ ...facts, samplerPatch: false }, shipped)).toEqual({ kind: "incomplete", version: shipped, missing: ["the sampler patch"] });
        expect(nativeBuildState({ hasFunctions: false, version: undefined, samplerPatch: false }, shipped)).toEqual(absent);
    });

    it("calls a build from before versions existed stale", () => {
        expect(nativeBuildState({ hasFunctions: true, version: undefined, samplerPatch: false }, shipped))
            .toEqual({ kind: "stale", binaryVersion: undefined, shippedVersion: shipped });
    });
});

describe("decideFastPath", () => {
    it("uses the fast path on any backend when the build is current", () => {
        for (const backend of ["cpu", "cuda", "vulkan", "metal"] as const)
            expect(decide({ backend }).path).toBe("fast");
    });

    it("refuses a GPU backend without the fast path, naming the command that builds it", () => {
        const decision = decide({ backend: "cuda", buildType: "prebuilt", state: absent });
        expect(decision.path).toBe("refuse");
        if (decision.path !== "refuse") return;
        expect(decision.message).toContain("node-llama-cpp's prebuilt cuda binary");
        expect(decision.message).toContain("90 ms");
        expect(decision.hint).toContain("REER_NATIVE_GPU=cuda npm run build:native");
        expect(decision.hint).toContain("REER_ALLOW_STOCK=1");
        expect(decide({ backend: "vulkan", state: stale }).path).toBe("refuse");
    });

    it("runs a GPU backend on the stock path, with a warning, when allowed", () => {
        const decision = decide({ backend: "metal", buildType: "prebuilt", state: absent, allowStock: true });
        expect(decision.path).toBe("stock");
        expect(decision.path === "stock" && decision.warning).toContain("stock path allowed");
    });

    it("falls back to the stock path on the CPU, warning when the build is stale", () => {
        const staleDecision = decide({ state: stale });
        expect(staleDecision).toMatchObject({ path: "stock" });
        expect(staleDecision.path === "stock" && staleDecision.warning).toContain("stale reer native aaaabbbbccccdddd, native/ is 1111222233334444");
        expect(decide({ buildType: "prebuilt", state: absent })).toEqual({ path: "stock", warning: undefined });
    });
});
