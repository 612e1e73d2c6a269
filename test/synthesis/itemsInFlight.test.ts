import { describe, expect, it } from "vitest";
import { chooseItemsInFlight, MAX_ITEMS_IN_FLIGHT } from "../../src/synthesis/itemsInFlight.js";

const GiB = 2 ** 30;

describe("chooseItemsInFlight", () => {
    it("keeps the CPU default of one item", () => {
        expect(chooseItemsInFlight({ requested: "auto", pending: 100, onGpu: false, freeGpuBytes: 0, bytesPerItem: GiB }).parallel).toBe(1);
    });

    it("on a GPU fills 80% of the free memory: 40 GiB free at 2 GiB per item gives 16", () => {
        const choice = chooseItemsInFlight({ requested: "auto", pending: 100, onGpu: true, freeGpuBytes: 40 * GiB, bytesPerItem: 2 * GiB });
        expect(choice.parallel).toBe(16);
        expect(choice.reason).toBe("auto: 40.0 GiB free on the GPU, 2.0 GiB of KV cache per item");
    });

    it("caps at the most items a batch needs, at the pending items, and never goes below one", () => {
        expect(chooseItemsInFlight({ requested: "auto", pending: 100, onGpu: true, freeGpuBytes: 130 * GiB, bytesPerItem: 0.1 * GiB }).parallel).toBe(MAX_ITEMS_IN_FLIGHT);
        expect(chooseItemsInFlight({ requested: "auto", pending: 3, onGpu: true, freeGpuBytes: 130 * GiB, bytesPerItem: 0.1 * GiB }).parallel).toBe(3);
        expect(chooseItemsInFlight({ requested: "auto", pending: 100, onGpu: true, freeGpuBytes: 1 * GiB, bytesPerItem: 4 * GiB }).parallel).toBe(1);
    });

    it("a number given with --parallel wins, capped at the pending items", () => {
        expect(chooseItemsInFlight({ requested: 8, pending: 100, onGpu: false, freeGpuBytes: 0, bytesPerItem: GiB })).toEqual({ parallel: 8, reason: "--parallel" });
        expect(chooseItemsInFlight({ requested: 8, pending: 2, onGpu: true, freeGpuBytes: 0, bytesPerItem: GiB }).parallel).toBe(2);
    });
});
