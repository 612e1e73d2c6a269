import { describe, expect, it } from "vitest";
import { logitsBytesPerPosition, SCORING_LOGITS_BUDGET_BYTES, scoringBatchCap } from "../../src/scoring/logitsMemory.js";

describe("the scoring batch's logits budget", () => {
    it("keeps llama.cpp's 512 for small vocabularies and shrinks the batch for large ones", () => {
        expect(scoringBatchCap(512)).toBe(512);
        expect(scoringBatchCap(49_152)).toBe(512);
        expect(scoringBatchCap(65_536)).toBe(512);
        expect(scoringBatchCap(151_936)).toBe(220);
        expect(scoringBatchCap(262_144)).toBe(128);
        expect(scoringBatchCap(100_000_000)).toBe(8);
    });

    it("holds at most 256 MiB of logits (two floats per vocabulary entry and position) whenever the batch is below 512", () => {
        expect(logitsBytesPerPosition(262_144)).toBe(2 * 1024 * 1024);
        for (const vocabulary of [70_000, 128_256, 151_936, 200_019, 256_000, 262_144]) {
            const cap = scoringBatchCap(vocabulary);
            expect(cap * 2 * 4 * vocabulary).toBeLessThanOrEqual(SCORING_LOGITS_BUDGET_BYTES);
            expect((cap + 1) * 2 * 4 * vocabulary).toBeGreaterThan(SCORING_LOGITS_BUDGET_BYTES);
        }
    });
});
