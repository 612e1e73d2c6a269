import { describe, expect, it } from "vitest";
import { answerAfterThinking } from "../../src/text/answerAfterThinking.js";

describe("answerAfterThinking", () => {
    it("keeps only the text after </think>, without the newlines after the tag", () => {
        // "<think>\nPlan.\n</think>\n\n" is 7 + 1 + 5 + 1 + 8 + 2 = 24 characters.
        expect(answerAfterThinking("<think>\nPlan.\n</think>\n\nThe answer.")).toEqual({
            answer: "The answer.", thinkingStripped: true, strippedChars: 24
        });
    });

    it("leaves a response without </think> unchanged, whitespace included", () => {
        expect(answerAfterThinking("  Just an answer.\n")).toEqual({ answer: "  Just an answer.\n", thinkingStripped: false, strippedChars: 0 });
        expect(answerAfterThinking("")).toEqual({ answer: "", thinkingStripped: false, strippedChars: 0 });
    });

    it("leaves a response with <think> but no </think> unchanged", () => {
        expect(answerAfterThinking("<think>\nStill thinking when the cap hit")).toEqual({
            answer: "<think>\nStill thinking when the cap hit", thinkingStripped: false, strippedChars: 0
        });
    });

    it("cuts at the last of several </think>", () => {
        // "<think>a</think>b</think>\n" is 7 + 1 + 8 + 1 + 8 + 1 = 26 characters.
        expect(answerAfterThinking("<think>a</think>b</think>\nFinal.")).toEqual({
            answer: "Final.", thinkingStripped: true, strippedChars: 26
        });
    });

    it("cuts at </think> when the opening tag was in the prompt", () => {
        expect(answerAfterThinking("Plan.</think>Answer.")).toEqual({ answer: "Answer.", thinkingStripped: true, strippedChars: 13 });
    });

    it("returns an empty answer when nothing but whitespace follows </think>", () => {
        expect(answerAfterThinking("<think>plan</think>\n\n ")).toEqual({ answer: "", thinkingStripped: true, strippedChars: 22 });
        expect(answerAfterThinking("<think>plan</think>")).toEqual({ answer: "", thinkingStripped: true, strippedChars: 19 });
    });

    it("keeps the answer's inner and trailing whitespace", () => {
        expect(answerAfterThinking("</think>\n\nPara one.\n\nPara two.\n\n")).toEqual({
            answer: "Para one.\n\nPara two.\n\n", thinkingStripped: true, strippedChars: 10
        });
    });

    it("handles CJK thinking and answers, counting code points", () => {
        // "<think>\n嗯，先想想。\n</think>\n" is 7 + 1 + 6 + 1 + 8 + 1 = 24 code points.
        expect(answerAfterThinking("<think>\n嗯，先想想。\n</think>\n春天来了。")).toEqual({
            answer: "春天来了。", thinkingStripped: true, strippedChars: 24
        });
        // U+3000 ideographic spaces are whitespace, so a first-line indent goes too.
        expect(answerAfterThinking("</think>\n　　春天来了。")).toEqual({ answer: "春天来了。", thinkingStripped: true, strippedChars: 11 });
        // An emoji is two UTF-16 units but one code point: 7 + 1 + 8 = 16.
        expect(answerAfterThinking("<think>😀</think>x")).toEqual({ answer: "x", thinkingStripped: true, strippedChars: 16 });
    });
});
