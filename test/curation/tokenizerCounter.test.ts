import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTokenCounter } from "../../src/model/loadTokenCounter.js";
import type { TokenCounter } from "../../src/model/tokenCounter.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

describe("tokenizer token counter", () => {
    let counter: TokenCounter;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
        ({ counter, dispose } = await loadTokenCounter(requireAsset(stories260kPath)));
    });
    afterAll(async () => {
        await dispose?.();
    });

    it("counts with the model's vocabulary, and says so", () => {
        expect(counter.method).toBe("tokenizer");
        expect(counter.description).toContain("stories260K.gguf");
        expect(counter.count("")).toBe(0);
        const short = counter.count("Once upon a time");
        expect(short).toBeGreaterThan(0);
        // A longer text has more tokens: the counts come from a real tokenisation.
        expect(counter.count("Once upon a time there was a little girl named Lily.")).toBeGreaterThan(short);
    });

    it("counts text with characters outside the vocabulary without aborting", () => {
        expect(counter.count("灯塔 lighthouse")).toBeGreaterThan(counter.count(" lighthouse"));
    });
});
