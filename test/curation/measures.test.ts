import { describe, expect, it } from "vitest";
import { reflectionPhrasesInTail } from "../../src/curation/filters/endOfThinking.js";
import { measureLeakage } from "../../src/curation/filters/leakage.js";
import { repetitionRatio } from "../../src/text/repetitionRatio.js";
import { longestSharedRun } from "../../src/text/longestSharedRun.js";
import { minHashSignature, shingleHashes, signatureSimilarity } from "../../src/curation/minHash.js";
import { NearDuplicateIndex } from "../../src/curation/NearDuplicateIndex.js";
import { textUnits, unitKindOf } from "../../src/text/textUnits.js";
import { estimateTokens } from "../../src/model/tokenCounter.js";
import { seededRandom as createSeededRandom } from "../../src/util/seededRandom.js";

/** Naive oracle: O(|a| * |b|) dynamic programme over code points. */
function longestCommonSubstringLength(a: string, b: string): number {
    const x = [...a];
    const y = [...b];
    let best = 0;
    let previous = new Array<number>(y.length + 1).fill(0);
    for (let i = 1; i <= x.length; i++) {
        const current = new Array<number>(y.length + 1).fill(0);
        for (let j = 1; j <= y.length; j++) {
            if (x[i - 1] === y[j - 1]) {
                current[j] = previous[j - 1]! + 1;
                best = Math.max(best, current[j]!);
            }
        }
        previous = current;
    }
    return best;
}

describe("text units", () => {
    it("reads spaced text as words and CJK text as characters", () => {
        expect(unitKindOf("Wait, the boat is late.")).toBe("word");
        expect(unitKindOf("等等，船来晚了。")).toBe("char");
        expect(textUnits("Wait, the boat's LATE!", "word")).toEqual(["wait", "the", "boat's", "late"]);
        expect(textUnits("船 来了", "char")).toEqual(["船", "来", "了"]);
    });
});

describe("repetitionRatio", () => {
    it("is the share of n-grams that repeat an earlier one", () => {
        // Bigrams: ab bc cd da ab bc cd: 7 in all, 4 distinct.
        expect(repetitionRatio("a b c d a b c d", 2, 2).ratio).toBeCloseTo(3 / 7, 12);
        // Character bigrams of 天天天天: three, one distinct.
        expect(repetitionRatio("天天天天", 2, 2)).toMatchObject({ kind: "char", n: 2, total: 3 });
        expect(repetitionRatio("天天天天", 2, 2).ratio).toBeCloseTo(2 / 3, 12);
        expect(repetitionRatio("too short", 4, 4)).toEqual({ ratio: 0, kind: "word", n: 4, total: 0 });
    });
});

describe("longestSharedRun", () => {
    it("finds the longest verbatim run in code points", () => {
        expect(longestSharedRun("abcxyz", "xyzabc")).toBe(3);
        expect(longestSharedRun("你好世界", "世界和平")).toBe(2);
        expect(longestSharedRun("😀😀a", "x😀😀")).toBe(2);
        expect(longestSharedRun("", "abc")).toBe(0);
        expect(longestSharedRun("abc", "def")).toBe(0);
    });

    it("agrees with the quadratic dynamic programme on random texts", () => {
        const random = createSeededRandom(7);
        const text = (length: number) => Array.from({ length }, () => "abc"[Math.floor(random() * 3)]).join("");
        for (let trial = 0; trial < 300; trial++) {
            const a = text(Math.floor(random() * 40));
            const b = text(Math.floor(random() * 40));
            expect(longestSharedRun(a, b), `${a} / ${b}`).toBe(longestCommonSubstringLength(a, b));
        }
    });
});

describe("measureLeakage", () => {
    it("measures the share of y's distinct n-grams found in z", () => {
        // y's word bigrams: "a b", "b c", "c d"; z holds "a b" and "c d". Longest shared run: " c d".
        expect(measureLeakage("a b x c d", "a b c d", 2, 2)).toMatchObject({ ngramShare: 2 / 3, kind: "word", n: 2, overlapChars: 4 });
    });
});

describe("reflectionPhrasesInTail", () => {
    it("matches whole words case-insensitively in the tail, and CJK phrases anywhere in it", () => {
        const body = "x".repeat(90);
        expect(reflectionPhrasesInTail(`${body} WAIT now`, ["wait"], 0.1)).toEqual(["wait"]);
        expect(reflectionPhrasesInTail(`${body} awaiting`, ["wait"], 0.1)).toEqual([]);
        expect(reflectionPhrasesInTail(`${body} let\n me`, ["let me"], 0.1)).toEqual(["let me"]);
        expect(reflectionPhrasesInTail(`wait ${body}`, ["wait"], 0.1)).toEqual([]);
        expect(reflectionPhrasesInTail(`${"好".repeat(90)}我们等等再说`, ["等等"], 0.1)).toEqual(["等等"]);
    });
});

describe("estimateTokens", () => {
    it("counts one token per CJK character and one per four other characters", () => {
        expect(estimateTokens("")).toBe(0);
        expect(estimateTokens("abcdefgh")).toBe(2);
        expect(estimateTokens("abcdefghi")).toBe(3);
        expect(estimateTokens("你好ab")).toBe(3);
    });
});

describe("MinHash", () => {
    it("estimates the Jaccard similarity of character shingles", () => {
        const random = createSeededRandom(3);
        const words = Array.from({ length: 400 }, () => Math.floor(random() * 1e6).toString(36));
        const a = words.join(" ");
        const b = [...words.slice(0, 300), ...words.slice(0, 100).map((word) => word + "q")].join(" ");
        const setA = shingleHashes(a, 5);
        const setB = shingleHashes(b, 5);
        const shared = [...setA].filter((hash) => setB.has(hash)).length;
        const jaccard = shared / (setA.size + setB.size - shared);
        const options = { shingleChars: 5, hashes: 256 };
        const estimate = signatureSimilarity(minHashSignature(a, options), minHashSignature(b, options));
        // Standard error sqrt(J (1 - J) / 256) is about 0.03.
        expect(Math.abs(estimate - jaccard)).toBeLessThan(0.1);
        expect(signatureSimilarity(minHashSignature(a, options), minHashSignature(a.toUpperCase().replace(/ /gu, "\n  "), options))).toBe(1);
    });

    it("finds the most similar indexed item through the bands", () => {
        const index = new NearDuplicateIndex<string>(32, 128);
        const options = { shingleChars: 5, hashes: 128 };
        const base = "The keeper climbs one hundred and twelve steps every evening to light the great lamp above the bay.";
        index.add("a", minHashSignature(base, options));
        index.add("b", minHashSignature("Completely unrelated words about bread dough, yeast and resting times in a warm kitchen.", options));
        expect(index.findSimilar(minHashSignature(base.replace("great", "grand"), options), 0.6)?.id).toBe("a");
        expect(index.findSimilar(minHashSignature("Nothing alike here at all, only cats and violins and snow.", options), 0.6)).toBeUndefined();
        expect(() => new NearDuplicateIndex(5, 128)).toThrow(RangeError);
    });
});
