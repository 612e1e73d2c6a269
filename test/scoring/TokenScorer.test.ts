import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContextOverflowError } from "../../src/errors/inputErrors.js";
import { AbortedError } from "../../src/util/AbortedError.js";
import { decodeWithLogitReader, getAddonContext } from "../../src/runtime/nodeLlamaInternals.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { PlainScoringLayout } from "../../src/scoring/PlainScoringLayout.js";
import { ScoringContext } from "../../src/scoring/ScoringContext.js";
import type { ScoringTokens } from "../../src/scoring/ScoringTokens.js";
import { loadSamplePairs } from "../support/pairs.js";
import { needsFastPath, nativeFastPath, skipWithout } from "../support/nativeFastPath.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const fastScoring = (await nativeFastPath()).scoring;

let model: LoadedModel;
const cases: ScoringTokens[] = [];

beforeAll(async () => {
    model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
    const layout = new PlainScoringLayout(model);
    for (const pair of loadSamplePairs().filter((_, index) => index % 8 === 0))
        cases.push(layout.frame(pair.prompt, pair.response).tokensFor(""));
});

afterAll(async () => {
    await model?.dispose();
});

async function withScorer<T>(options: Partial<Parameters<typeof ScoringContext.create>[1]>, use: (scorer: ScoringContext) => Promise<T>): Promise<T> {
    const scorer = await ScoringContext.create(model, { threads: 1, tokensNeeded: 1024, ...options });
    try {
        return await use(scorer);
    } finally {
        await scorer.dispose();
    }
}

describe("TokenScorer on stories260K", () => {
    it.skipIf(skipWithout(fastScoring))(needsFastPath("has the native fast path in this build", fastScoring), () => {
        expect(model.runtime.hasFastScoring).toBe(true);
    });

    it.skipIf(skipWithout(fastScoring))(needsFastPath("fast and stock paths agree per token within 1e-4", fastScoring), async () => {
        expect(cases.length).toBeGreaterThanOrEqual(4);
        let worst = 0;
        for (const input of cases) {
            const fast = await withScorer({ path: "fast" }, (scorer) => scorer.scorers[0]!.score(input));
            const stock = await withScorer({ path: "stock" }, (scorer) => scorer.scorers[0]!.score(input));
            expect(fast.path).toBe("fast");
            expect(stock.path).toBe("stock");
            expect(fast.tokenCount).toBe(input.scoredTokens.length);
            for (let i = 0; i < fast.tokenCount; i++)
                worst = Math.max(worst, Math.abs(fast.tokenLogprobs[i]! - stock.tokenLogprobs[i]!));
        }
        expect(worst).toBeLessThan(1e-4);
    });

    for (const path of ["fast", "stock"] as const) {
        const available = path === "stock" || fastScoring;
        it.skipIf(skipWithout(available))(needsFastPath(`scores with a reused prefix exactly as from scratch, and reports what it reused, on the ${path} path`, available), async () => {
            const base = cases[0]!;
            // Same context with a different ending, then a different scored continuation.
            const variant: ScoringTokens = {
                contextTokens: [...base.contextTokens.slice(0, -3), ...cases[1]!.contextTokens.slice(1, 6)],
                scoredTokens: cases[1]!.scoredTokens.slice(0, 40)
            };
            const fresh = await withScorer({ path }, (scorer) => scorer.scorers[0]!.score(variant));
            const reused = await withScorer({ path }, async (scorer) => {
                await scorer.scorers[0]!.score(base);
                return await scorer.scorers[0]!.score(variant);
            });
            expect(fresh.reusedTokens).toBe(0);
            expect(reused.reusedTokens).toBe(base.contextTokens.length - 3);
            expect(reused.evaluatedTokens).toBe(variant.contextTokens.length + variant.scoredTokens.length - 1 - reused.reusedTokens);
            expect(Array.from(reused.tokenLogprobs)).toEqual(Array.from(fresh.tokenLogprobs));
            expect(reused.clippedMeanNll).toBe(fresh.clippedMeanNll);
        });
    }

    it.skipIf(skipWithout(fastScoring))(needsFastPath("scores a run of positions in one native call as one call per position does, up to the end of the sequence's outputs in the batch", fastScoring), async () => {
        const native = model.runtime.nativeTokenLogprobs!;
        const tokens = cases[0]!.contextTokens.slice(0, 24);
        // Logits for tokens 4-11 and 14-23: a run from token 4 ends at token 11.
        const wanted = tokens.map((_, i) => (i >= 4 && i < 12) || i >= 14);
        const targets = Uint32Array.from(tokens.slice(1, 21));
        // Two threads: the run's positions are shared between them.
        const context = await model.createContext({ contextSize: 64, threads: 2, flashAttention: false });
        try {
            const addonContext = getAddonContext(context);
            const singles: number[] = [];
            let run: Float64Array | undefined;
            await decodeWithLogitReader(context.getSequence(), tokens, wanted, (batchLogitIndex, tokenIndex) => {
                singles.push(native(addonContext, Int32Array.of(batchLogitIndex), targets.subarray(tokenIndex - 4, tokenIndex - 3))[0]!);
                if (tokenIndex === 4) run = native(addonContext, Int32Array.of(batchLogitIndex), targets.subarray(0, 17));
            });
            expect(singles).toHaveLength(18);
            expect(run).toHaveLength(8);
            expect(Array.from(run!)).toEqual(singles.slice(0, 8));
        } finally {
            await context.dispose();
        }
    });

    it("never reuses the last context token, whose logits are not stored", async () => {
        const base = cases[2]!;
        await withScorer({}, async (scorer) => {
            const first = await scorer.scorers[0]!.score(base);
            const again = await scorer.scorers[0]!.score(base);
            expect(again.reusedTokens).toBe(base.contextTokens.length - 1);
            expect(again.evaluatedTokens).toBe(base.scoredTokens.length);
            expect(Array.from(again.tokenLogprobs)).toEqual(Array.from(first.tokenLogprobs));
        });
    });

    it("gives the same scores on several sequences of one context", async () => {
        await withScorer({ sequences: 2 }, async (scorer) => {
            const [a, b] = await Promise.all([scorer.scorers[0]!.score(cases[0]!), scorer.scorers[1]!.score(cases[1]!)]);
            const soloA = await withScorer({}, (solo) => solo.scorers[0]!.score(cases[0]!));
            const soloB = await withScorer({}, (solo) => solo.scorers[0]!.score(cases[1]!));
            for (let i = 0; i < a.tokenCount; i++)
                expect(Math.abs(a.tokenLogprobs[i]! - soloA.tokenLogprobs[i]!)).toBeLessThan(1e-5);
            for (let i = 0; i < b.tokenCount; i++)
                expect(Math.abs(b.tokenLogprobs[i]! - soloB.tokenLogprobs[i]!)).toBeLessThan(1e-5);
        });
    });

    it("refuses a sequence longer than the context instead of shifting it", async () => {
        await withScorer({ tokensNeeded: 64 }, async (scorer) => {
            const input = cases[0]!;
            expect(input.contextTokens.length + input.scoredTokens.length).toBeGreaterThan(scorer.contextSize);
            await expect(scorer.scorers[0]!.score(input)).rejects.toBeInstanceOf(ContextOverflowError);
        });
    });
});

/** A signal that reads as aborted from its `after`-th check on: stands in for a Ctrl-C that lands mid-call. */
function abortsAfter(after: number): AbortSignal {
    let checks = 0;
    return { get aborted() { return ++checks >= after; } } as AbortSignal;
}

describe("TokenScorer stops", () => {
    for (const path of ["fast", "stock"] as const) {
        const available = path === "stock" || fastScoring;
        it.skipIf(skipWithout(available))(needsFastPath(`with a signal, decodes a batch at a time and gives bit-identical scores, on the ${path} path`, available), async () => {
            const input = cases[0]!;
            expect(input.contextTokens.length + input.scoredTokens.length).toBeGreaterThan(4 * 16);
            const plain = await withScorer({ path, batchSize: 16 }, (scorer) => scorer.scorers[0]!.score(input));
            const watched = await withScorer({ path, batchSize: 16 }, (scorer) => scorer.scorers[0]!.score(input, { signal: new AbortController().signal }));
            expect(Array.from(watched.tokenLogprobs)).toEqual(Array.from(plain.tokenLogprobs));
        });

        it.skipIf(skipWithout(available))(needsFastPath(`a signal that fires mid-record ends the call with AbortedError at the next batch, on the ${path} path`, available), async () => {
            const input = cases[0]!;
            await withScorer({ path, batchSize: 16 }, async (scorer) => {
                const aborted = new AbortController();
                aborted.abort();
                await expect(scorer.scorers[0]!.score(input, { signal: aborted.signal })).rejects.toBeInstanceOf(AbortedError);
                await expect(scorer.scorers[0]!.score(input, { signal: abortsAfter(3) })).rejects.toBeInstanceOf(AbortedError);
                // The batches decoded before the stop stay in the KV cache; the next call carries on from them.
                const after = await scorer.scorers[0]!.score(input);
                expect(after.reusedTokens).toBeGreaterThan(0);
                expect(after.reusedTokens).toBeLessThan(input.contextTokens.length - 1);
            });
        });
    }
});
