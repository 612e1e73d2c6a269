import { describe, expect, it } from "vitest";
import { budgetProblem, sizeContexts } from "../../src/synthesis/itemBudget.js";

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

    it("is undefined for an item that fits", () => {
        expect(budgetProblem({ initial: 1024, edit: 1000, scoring: 512 }, contexts)).toBeUndefined();
    });

    it("names the context, the need, and advice that fits the situation", () => {
        // The generator context is below its cap, so a larger --context-size is worth trying.
        expect(budgetProblem({ initial: 100, edit: 1100, scoring: 100 }, contexts))
            .toBe("context too small: an edit prompt with the longest allowed trajectory needs 1100 tokens, the generator context holds 1024 (raise --context-size, lower --max-tokens or --max-thinking-tokens)");
        // The scorer context is already at its cap: no advice to raise it.
        expect(budgetProblem({ initial: 100, edit: 100, scoring: 600 }, contexts))
            .toBe("context too small: scoring with the longest allowed trajectory needs 600 tokens, the scorer context holds 512 (lower --max-tokens or --max-thinking-tokens)");
    });
});
