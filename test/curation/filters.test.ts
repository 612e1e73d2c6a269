import { describe, expect, it } from "vitest";
import { curationConfigSchema, type CurationConfig } from "../../src/curation/curationConfig.js";
import { curateRecords } from "../../src/curation/Curator.js";
import { estimatedTokenCounter, type TokenCounter } from "../../src/model/tokenCounter.js";
import type { TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { defaultZ, doneRecord, failedRecord, score, skippedRecord } from "../support/traceFixtures.js";

/** The filters an item fails under a config (defaults, with `config` merged in). */
function failedFilters(record: TraceRecord, config: Record<string, unknown> = {}, counter: TokenCounter = estimatedTokenCounter): string[] {
    const { rejected } = curateRecords([record], curationConfigSchema.parse(config), counter);
    return rejected[0]?.reasons.map((reason) => reason.filter) ?? [];
}

const longCalmZ = defaultZ + "\n\nSo the story opens at dusk, follows the storm, and closes with the boats safely home at dawn.";

describe("fixture", () => {
    it("passes every filter with the default config", () => {
        expect(failedFilters(doneRecord())).toEqual([]);
    });
});

describe("status", () => {
    it("keeps done items and drops the others with status:<status>", () => {
        const records = [
            doneRecord({ id: "a" }),
            skippedRecord({ id: "b", reason: "initial trajectory has a single segment" }),
            failedRecord({ id: "c", error: "Error: boom" })
        ];
        const { kept, rejected, summary } = curateRecords(records, curationConfigSchema.parse({}), estimatedTokenCounter);
        expect(kept.map((record) => record.id)).toEqual(["a"]);
        expect(rejected.map((verdict) => verdict.reasons)).toEqual([
            [{ filter: "status:skipped", detail: "initial trajectory has a single segment" }],
            [{ filter: "status:failed", detail: "Error: boom" }]
        ]);
        expect(summary.byFilter["status:skipped"]).toBe(1);
        expect(summary.byFilter["status:failed"]).toBe(1);
    });
});

describe("end-of-thinking", () => {
    it("drops z whose last 10% still reflects, in English", () => {
        const z = longCalmZ + " Wait, maybe the keeper should be older.";
        expect(failedFilters(doneRecord({ z }))).toEqual(["end-of-thinking"]);
    });

    it("drops z whose last 10% still reflects, in Chinese", () => {
        const z = "我先想清楚读者需要什么，再安排故事的顺序，让结尾自然地从开头发展出来，整个过程要平静而清楚。\n\n" +
            "然后写灯塔看守人怎样在暴风雨里守着灯，渔船一条一条平安回到港口，孩子们在岸边欢呼。等等，我再想想。";
        expect(failedFilters(doneRecord({ z }))).toEqual(["end-of-thinking"]);
    });

    it("keeps reflection early in z, and words that merely contain a phrase", () => {
        expect(failedFilters(doneRecord({ z: "Hmm, wait. " + longCalmZ }))).toEqual([]);
        expect(failedFilters(doneRecord({ z: longCalmZ + " The crew await the light." }))).toEqual([]);
    });

    it("uses the configured phrases and tail fraction", () => {
        const waiting = doneRecord({ z: longCalmZ + " Wait." });
        expect(failedFilters(waiting, { endOfThinking: { phrases: { en: ["perhaps"], zh: [] } } })).toEqual([]);
        expect(failedFilters(doneRecord({ z: longCalmZ + " Perhaps." }), { endOfThinking: { phrases: { en: ["perhaps"] } } })).toEqual(["end-of-thinking"]);
        // "Hmm" opens z: inside the tail only when the tail is all of z.
        expect(failedFilters(doneRecord({ z: "Hmm. " + longCalmZ }), { endOfThinking: { tailFraction: 1 } })).toEqual(["end-of-thinking"]);
        expect(failedFilters(waiting, { endOfThinking: { enabled: false } })).toEqual([]);
    });
});

describe("repetition", () => {
    const looping = "I will check the answer again and then decide. ".repeat(12).trim();

    it("drops a looping z and keeps a varied one", () => {
        expect(failedFilters(doneRecord({ z: looping }))).toEqual(["repetition"]);
        expect(failedFilters(doneRecord({ z: longCalmZ }))).toEqual([]);
    });

    it("uses the configured threshold and reports the ratio's distribution", () => {
        expect(failedFilters(doneRecord({ z: looping }), { repetition: { maxRatio: 0.95 } })).toEqual([]);
        const { summary } = curateRecords([doneRecord({ id: "a", z: looping }), doneRecord({ id: "b" })],
            curationConfigSchema.parse({ repetition: { enabled: false } }), estimatedTokenCounter);
        expect(summary.byFilter.repetition).toBeUndefined();
        expect(summary.repetition.count).toBe(2);
        expect(summary.repetition.min).toBe(0);
        expect(summary.repetition.max).toBeGreaterThan(0.8);
    });
});

describe("leakage", () => {
    const longY = "Old Tomas kept the light burning through every storm of that long winter, and one by one the fishing boats came home safe to the harbour below.";

    it("drops z that copies a long run of y", () => {
        const z = longCalmZ + "\n\nThe answer: " + longY;
        expect(failedFilters(doneRecord({ y: longY, z }))).toEqual(["leakage"]);
    });

    it("drops z that holds most of y's n-grams even without one long run", () => {
        const y = "the keeper climbs the tower, lights the lamp and waits for the boats to come home";
        const z = longCalmZ + "\n\n" + y;
        expect(failedFilters(doneRecord({ y, z }))).toEqual(["leakage"]);
        expect(failedFilters(doneRecord({ y, z }), { leakage: { maxNgramShare: 1 } })).toEqual([]);
    });

    it("keeps z that only mentions a few of y's words", () => {
        expect(failedFilters(doneRecord({ y: longY, z: longCalmZ + " Tomas keeps the light." }))).toEqual([]);
    });
});

describe("length", () => {
    it("drops items outside the token bounds of x, y or z", () => {
        const record = doneRecord();
        // The estimate: 1 token per 4 characters (no CJK here).
        const zTokens = Math.ceil(Array.from(record.z).length / 4);
        expect(failedFilters(record, { length: { z: { max: zTokens - 1 } } })).toEqual(["length"]);
        expect(failedFilters(record, { length: { z: { min: zTokens, max: zTokens } } })).toEqual([]);
        expect(failedFilters(record, { length: { x: { min: 1000 } } })).toEqual(["length"]);
        expect(failedFilters(record, { length: { y: { max: 3 } } })).toEqual(["length"]);
        expect(failedFilters(record, { length: { enabled: false, y: { max: 3 } } })).toEqual([]);
    });

    it("counts with the given token counter", () => {
        const words: TokenCounter = { method: "tokenizer", description: "words", count: (text) => text.split(/\s+/u).filter(Boolean).length };
        const record = doneRecord({ x: "one two three" });
        expect(failedFilters(record, { length: { x: { max: 3 } } }, words)).toEqual([]);
        expect(failedFilters(record, { length: { x: { max: 2 } } }, words)).toEqual(["length"]);
    });
});

describe("improvement", () => {
    it("drops items whose score improved less than the minimum", () => {
        const flat = doneRecord({ score0: score(1.5), score: score(1.5) });
        expect(failedFilters(flat)).toEqual([]);
        expect(failedFilters(flat, { improvement: { min: 0.01 } })).toEqual(["improvement"]);
        expect(failedFilters(doneRecord({ score0: score(1.5), score: score(1.2) }), { improvement: { min: 0.3 } })).toEqual([]);
        expect(failedFilters(doneRecord({ score0: score(1.5), score: score(1.21) }), { improvement: { min: 0.3 } })).toEqual(["improvement"]);
    });

    it("cannot meet a done item without scores: the trace schema refuses one", () => {
        expect(() => doneRecord({ score0: undefined })).toThrow(/score0/u);
    });
});

describe("think-tag", () => {
    const initial = { opener: "First", raw: "...", tokensGenerated: 200 };

    it("drops items whose initial thinking was truncated or never closed", () => {
        const truncated = doneRecord({ initial: { ...initial, stop: "max-tokens", closed: false } });
        const ended = doneRecord({ initial: { ...initial, stop: "eog", closed: false } });
        const closed = doneRecord({ initial: { ...initial, stop: "stop-string", closed: true } });
        expect(failedFilters(truncated)).toEqual(["think-tag"]);
        expect(failedFilters(ended)).toEqual(["think-tag"]);
        expect(failedFilters(closed)).toEqual([]);
        expect(failedFilters(truncated, { thinkTag: { enabled: false } })).toEqual([]);
    });

    it("drops z holding think markup", () => {
        expect(failedFilters(doneRecord({ z: longCalmZ + "\n</think>" }))).toEqual(["think-tag"]);
    });
});

describe("duplicates", () => {
    const config: CurationConfig = curationConfigSchema.parse({});

    it("keeps the first of exact copies of z", () => {
        const { kept, rejected } = curateRecords([doneRecord({ id: "a" }), doneRecord({ id: "b" })], config, estimatedTokenCounter);
        expect(kept.map((record) => record.id)).toEqual(["a"]);
        expect(rejected[0]!.reasons).toEqual([{ filter: "duplicate", detail: "same z as kept item a" }]);
    });

    it("keeps the first of near copies, and distinct z", () => {
        const near = defaultZ.replace("calm and clear", "calm and tidy");
        const other = "A completely different plan: list the tools, check the weather, and write the log before sunset every single day.";
        const { kept, rejected } = curateRecords([
            doneRecord({ id: "a" }), doneRecord({ id: "b", z: near }), doneRecord({ id: "c", z: other })
        ], config, estimatedTokenCounter);
        expect(kept.map((record) => record.id)).toEqual(["a", "c"]);
        expect(rejected.map((verdict) => verdict.reasons.map((reason) => reason.filter))).toEqual([["near-duplicate"]]);
        const strict = curationConfigSchema.parse({ nearDuplicate: { threshold: 1 } });
        expect(curateRecords([doneRecord({ id: "a" }), doneRecord({ id: "b", z: near })], strict, estimatedTokenCounter).kept).toHaveLength(2);
    });

    it("compares only with kept items, so a copy of a dropped item can stay", () => {
        const truncated = doneRecord({ id: "a", initial: { opener: "F", raw: "...", tokensGenerated: 9, stop: "max-tokens", closed: false } });
        const { kept } = curateRecords([truncated, doneRecord({ id: "b" })], config, estimatedTokenCounter);
        expect(kept.map((record) => record.id)).toEqual(["b"]);
    });
});

describe("summary", () => {
    it("counts every filter an item fails, the items failing one filter only, and the total", () => {
        const initial = { opener: "F", raw: "...", tokensGenerated: 9, stop: "max-tokens", closed: false };
        const records = [
            doneRecord({ id: "a" }),
            doneRecord({ id: "b", z: longCalmZ + " Wait.", initial }),
            doneRecord({ id: "c", z: longCalmZ + " Hmm." }),
            skippedRecord({ id: "d", reason: "initial trajectory has a single segment" })
        ];
        const { summary } = curateRecords(records, curationConfigSchema.parse({}), estimatedTokenCounter);
        expect(summary).toMatchObject({ read: 4, kept: 1, dropped: 3 });
        expect(summary.byFilter).toMatchObject({ "end-of-thinking": 2, "think-tag": 1, "status:skipped": 1, repetition: 0 });
        expect(summary.onlyBy).toMatchObject({ "end-of-thinking": 1, "think-tag": 0, "status:skipped": 1 });
    });
});
