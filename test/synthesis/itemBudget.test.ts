import { describe, expect, it } from "vitest";
import { describeRefusal } from "../../src/trace/describeRefusal.js";
import { budgetProblem, budgetWithLimits, largestFittingMaxTokens, sizeContexts } from "../../src/synthesis/itemBudget.js";

describe("sizeContexts", () => {
    it("sizes both contexts for the largest item that fits the caps, rounded up to 64, and ignores items that cannot fit", () => {
        const sizes = sizeContexts([
            { initial: 300, edit: 900, scoring: 500 },
            { initial: 1200, edit: 1000, scoring: 700 },
            { initial: 100, edit: 5000, scoring: 100 }, // too big for the generator cap
            undefined // an item the models cannot encode
        ], { generator: 2048, scorer: 1024 });
        expect(sizes).toEqual({ generator: 1216, scorer: 704, generatorCap: 2048, scorerCap: 1024 });
    });

    it("never sizes a context above its cap", () => {
        expect(sizeContexts([{ initial: 2040, edit: 2047, scoring: 1000 }], { generator: 2047, scorer: 1000 }))
            .toMatchObject({ generator: 2047, scorer: 1000 });
    });
});

describe("budgetProblem", () => {
    const contexts = { generator: 1024, scorer: 512, generatorCap: 2048, scorerCap: 512 };

    it("is undefined for an item that fits the caps, whatever the allocated sizes", () => {
        expect(budgetProblem({ initial: 1024, edit: 1000, scoring: 512 }, contexts)).toBeUndefined();
        // The generator context was allocated at 1024, but the item fits its cap of 2048: the contexts are sized for every item that fits.
        expect(budgetProblem({ initial: 100, edit: 1100, scoring: 100 }, contexts)).toBeUndefined();
    });

    it("names the limit that binds, where it comes from, and only the settings that help", () => {
        const edit = budgetProblem({ initial: 100, edit: 2100, scoring: 100 }, contexts)!;
        expect(edit).toEqual({ code: "context-too-small", role: "generator", prompt: "edit", needs: 2100, cap: 2048, fromFlag: false });
        expect(describeRefusal(edit))
            .toBe("context too small: an edit prompt with the longest allowed trajectory needs 2100 tokens; the generator's limit is 2048 tokens (its training context; lower --max-tokens or --max-thinking-tokens)");
        // The generator fits; the scorer binds, and --context-size (given) can be raised.
        const scoring = budgetProblem({ initial: 100, edit: 100, scoring: 600 }, { ...contexts, capsFromFlag: true })!;
        expect(scoring).toEqual({ code: "context-too-small", role: "scorer", prompt: "scoring", needs: 600, cap: 512, fromFlag: true });
        expect(describeRefusal(scoring))
            .toBe("context too small: scoring with the longest allowed trajectory needs 600 tokens; the scorer's limit is 512 tokens (--context-size; raise --context-size up to the training context, or lower --max-tokens or --max-thinking-tokens)");
    });
});

describe("largestFittingMaxTokens", () => {
    it("is the largest cap under which every item that can fit does, worked by hand", () => {
        // Item A: initial 1000 + n <= 8192; edit 1500 + 2n + n <= 8192 -> n <= 2230; scoring 900 + 2n <= 2048 -> n <= 574.
        // Item B: edit 700 + 3n <= 8192 -> n <= 2497; scoring 400 + 2n <= 2048 -> n <= 824.
        const caps = { generator: 8192, scorer: 2048 };
        const a = { initial: 1000, edit: 1500, scoring: 900 };
        const b = { initial: 600, edit: 700, scoring: 400 };
        const n = largestFittingMaxTokens([a, b], caps, undefined);
        expect(n).toBe(574);
        // At n every item fits, at n + 1 item A does not.
        const fits = (base: typeof a, maxNew: number) => {
            const budget = budgetWithLimits(base, { maxNew, maxThinking: 2 * maxNew });
            return Math.max(budget.initial, budget.edit) <= caps.generator && budget.scoring <= caps.scorer;
        };
        expect(fits(a, n) && fits(b, n)).toBe(true);
        expect(fits(a, n + 1)).toBe(false);
    });

    it("leaves out items too large to fit even at the floor, and is 0 when none fits", () => {
        const huge = { initial: 9000, edit: 9000, scoring: 100 };
        const small = { initial: 100, edit: 100, scoring: 100 };
        expect(largestFittingMaxTokens([huge, small], { generator: 8192, scorer: 8192 }, undefined, 100)).toBe(Math.floor((8192 - 100) / 3));
        expect(largestFittingMaxTokens([huge], { generator: 8192, scorer: 8192 }, undefined, 100)).toBe(0);
    });

    it("with a fixed bound on z, only the new-token cap moves", () => {
        // edit 500 + 3000 + n <= 4096 -> n <= 596; initial 200 + n <= 4096.
        expect(largestFittingMaxTokens([{ initial: 200, edit: 500, scoring: 100 }], { generator: 4096, scorer: 4096 }, 3000)).toBe(596);
    });
});
