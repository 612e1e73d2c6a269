import type { Token } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { renderItemView } from "../../src/report/itemView.js";
import { scoringTemplateOf } from "../../src/report/scoringTemplate.js";
import { tokenPieces } from "../../src/report/tokenPieces.js";
import { fakeTokenComparison, sampleTrace } from "../support/traceFixtures.js";

describe("tokenPieces", () => {
    // A toy detokenizer: token n is the character with code n, except 1000 and 1001,
    // the two halves of "é", which alone decode to U+FFFD like a split UTF-8 sequence.
    const detokenize = (tokens: Token[]) => {
        let text = "";
        for (let i = 0; i < tokens.length; i++) {
            const token = tokens[i] as number;
            if (token === 1000 && tokens[i + 1] === 1001) {
                text += "é";
                i++;
            } else
                text += token >= 1000 ? "\uFFFD" : String.fromCharCode(token);
        }
        return text;
    };
    const tokens = (text: string) => [...text].map((character) => character.charCodeAt(0) as Token);

    it("gives one piece per token, and joins a character split across tokens", () => {
        const input = [...tokens("caf"), 1000 as Token, 1001 as Token, ...tokens("!")];
        expect(tokenPieces(input, detokenize)).toEqual([
            { text: "c", from: 0, to: 1 }, { text: "a", from: 1, to: 2 }, { text: "f", from: 2, to: 3 },
            { text: "é", from: 3, to: 5 }, { text: "!", from: 5, to: 6 }
        ]);
    });

    it("decodes each token after the ones before it, lead included", () => {
        const seen: number[][] = [];
        tokenPieces(tokens("ab"), (piece, lastTokens) => {
            seen.push(lastTokens.map(Number));
            return detokenize(piece);
        }, tokens("xy"));
        expect(seen).toEqual([[120, 121], [120, 121, 97]]);
    });
});

describe("the per-token view of y", () => {
    const records = sampleTrace();
    const bread = records[2]!;

    it("colours every piece by its change and explains the two values in a tooltip", () => {
        const tokens = fakeTokenComparison(bread);
        const view = renderItemView(bread, { index: 2, hidden: false, source: "t.jsonl", tokens });
        const spans = [...view.matchAll(/<span class="tok" style="background-color:rgba\((22,163,74|220,38,38),([\d.]+)\)" title="([^"]*)">/g)];
        expect(spans).toHaveLength(tokens.pieces.length);
        const first = tokens.pieces[0]!;
        expect(spans[0]![1]).toBe(first.after >= first.before ? "22,163,74" : "220,38,38");
        expect(spans[0]![3]).toContain(`under z0: ${first.before.toFixed(3)}`);
        expect(view).toContain(`class="legend"`);
        expect(view).toContain(`<span class="y-head" title="context: not scored">`);
        expect(view).not.toContain("Per-token log-probabilities are not stored");
    });

    it("escapes token text", () => {
        const tokens = { ...fakeTokenComparison(bread), pieces: [{ text: "</pre><b>&", before: -1, after: -0.5, tokens: 1 }] };
        const view = renderItemView(bread, { index: 2, hidden: false, source: "t.jsonl", tokens });
        expect(view).toContain("&lt;/pre&gt;&lt;b&gt;&amp;</span>");
    });

    it("reads the scorer layout from the trace's prompt ids", () => {
        expect(scoringTemplateOf(bread)).toBe("paper");
        expect(scoringTemplateOf({ ...bread, prompts: ["plain", "en/initial@abc"] })).toBe("none");
        expect(scoringTemplateOf({ ...bread, prompts: [] })).toBeUndefined();
    });
});
