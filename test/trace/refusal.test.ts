import { describe, expect, it } from "vitest";
import { describeFailure, describeRefusal } from "../../src/trace/describeRefusal.js";
import { refusalSchema, type Refusal } from "../../src/trace/refusal.js";
import { failedRecordSchema, skippedRecordSchema, traceRecordSchema } from "../../src/trace/traceRecordSchema.js";
import { doneRecord, failedRecord, refusedRecord, skippedRecord } from "../support/traceFixtures.js";

const loop: Refusal = { code: "draft", problems: [{ code: "degenerate", ratio: 0.873, kind: "word", n: 4, max: 0.5 }] };

/** Every kind of refusal, and the sentence traces have always written for it. */
const sentences: [Refusal, string][] = [
    [{ code: "empty-response" }, "the response holds nothing after its last </think> (set answerAfterThink to false to score all of it)"],
    [{ code: "context-too-small", role: "generator", prompt: "initial", needs: 2100, cap: 2048, fromFlag: false },
        "context too small: the initial prompt and its generation need 2100 tokens; the generator's limit is 2048 tokens (its training context; lower --max-tokens or --max-thinking-tokens)"],
    [{ code: "context-too-small", role: "generator", prompt: "edit", needs: 4000, cap: 1024, fromFlag: true },
        "context too small: an edit prompt with the longest allowed trajectory needs 4000 tokens; the generator's limit is 1024 tokens (--context-size; raise --context-size up to the training context, or lower --max-tokens or --max-thinking-tokens)"],
    [{ code: "draft", problems: [{ code: "too-short", tokens: 57, min: 100 }] }, "initial trajectory too short: 57 tokens < 100"],
    [{ code: "draft", problems: [{ code: "single-segment" }] }, "initial trajectory has a single segment"],
    [{ code: "draft", problems: [{ code: "too-long", tokens: 300, max: 240 }] }, "initial trajectory too long: 300 tokens > --max-thinking-tokens 240"],
    [{ code: "draft", problems: [{ code: "copies-response", chars: 110, max: 60 }] }, "initial trajectory copies 110 characters of the response verbatim (>= 60)"],
    [loop, "initial trajectory is degenerate: 87% of its word 4-grams repeat earlier ones (> 50%)"],
    [{ code: "draft", problems: [{ code: "single-segment" }, { code: "degenerate", ratio: 0.6, kind: "char", n: 6, max: 0.45 }] },
        "initial trajectory has a single segment; it is degenerate: 60% of its char 6-grams repeat earlier ones (> 45%)"],
    [{ code: "no-usable-draft", drafts: [{ code: "draft", problems: [{ code: "single-segment" }] }, { code: "draft", problems: [{ code: "too-short", tokens: 12, min: 20 }] }] },
        "none of 2 drafts can start a search: draft 1: initial trajectory has a single segment; draft 2: initial trajectory too short: 12 tokens < 20"],
    [{ code: "item-error", errorCode: "UNENCODABLE_TEXT", message: "The response contains 1 character(s) that the vocabulary of TinyStories 656K cannot encode" },
        "The response contains 1 character(s) that the vocabulary of TinyStories 656K cannot encode"]
];

describe("describeRefusal", () => {
    it.each(sentences)("writes %j as the trace has always read", (refusal, sentence) => {
        expect(describeRefusal(refusal)).toBe(sentence);
    });

    it("a failure reads as Name: message", () => {
        expect(describeFailure({ name: "TypeError", message: "x is undefined" })).toBe("TypeError: x is undefined");
    });
});

describe("refusals in the trace", () => {
    it("every kind survives a write and a read", () => {
        for (const [refusal] of sentences) {
            const record = refusedRecord(refusal);
            expect(traceRecordSchema.parse(JSON.parse(JSON.stringify(record)))).toMatchObject({ refusal, reason: describeRefusal(refusal) });
        }
    });

    it("traces written before refusals still read", () => {
        const { refusal: _none, ...old } = refusedRecord(loop);
        expect(skippedRecordSchema.parse(old).refusal).toBeUndefined();
        expect(failedRecordSchema.parse(failedRecord()).failure).toBeUndefined();
        expect(doneRecord({ drafts: [{ opener: "a", raw: "b", tokensGenerated: 1, stop: "eos", closed: true, z: "ab", usedDespite: "initial trajectory is degenerate" }] }).drafts![0]!.refusal).toBeUndefined();
    });

    it("refuses a refusal that is not one: unknown code, numbers as text, an empty list of problems", () => {
        expect(refusalSchema.safeParse({ code: "too-hot" }).success).toBe(false);
        expect(refusalSchema.safeParse({ code: "draft", problems: [{ code: "too-short", tokens: "57", min: 100 }] }).success).toBe(false);
        expect(refusalSchema.safeParse({ code: "draft", problems: [] }).success).toBe(false);
        expect(() => skippedRecord({ refusal: { code: "nope" } as unknown as Refusal })).toThrow();
    });
});
