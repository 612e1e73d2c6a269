// The addon that `npm ci` (or `npm run build:native`) built must be reer's current one:
// built from this checkout's native/, sampler patch included. Fails after native/ changes
// until the addon is rebuilt.
import { describe, expect, it } from "vitest";
import { LlamaRuntime } from "../../src/runtime/LlamaRuntime.js";
import { shippedNativeVersion } from "../../src/runtime/shippedNativeVersion.js";

describe("the loaded CPU build", () => {
    it("carries this native/ version and reer's additions", async () => {
        const runtime = await LlamaRuntime.get({ gpu: "off" });
        expect(runtime.nativeState).toEqual({ kind: "current", version: shippedNativeVersion() });
        expect(runtime.hasFastScoring).toBe(true);
        expect(runtime.nativeSequenceCopy).toBeDefined();
        expect(runtime.describe()).toBe(`backend cpu (local build, reer native ${shippedNativeVersion()}), fast exact scoring on`);
    });
});
