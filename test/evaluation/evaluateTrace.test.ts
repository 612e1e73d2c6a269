import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateTrace } from "../../src/evaluation/evaluateTrace.js";
import { evaluationSchema, type EvaluationItem } from "../../src/evaluation/evaluationSchema.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { scoreRecords, type RecordScore } from "../../src/scoring/scoreRecords.js";
import type { DoneRecord } from "../../src/trace/traceRecordSchema.js";
import { storyItems, storyRecord, storyTrace } from "../support/evaluationFixtures.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { skippedRecord } from "../support/traceFixtures.js";

const modelPath = requireAsset(stories260kPath);
let model: LoadedModel;

beforeAll(async () => {
    model = await LoadedModel.load(modelPath, { gpu: "off" });
});

afterAll(async () => {
    await model?.dispose();
});

/** The oracle: `reer score`'s path, one record per context, each scored on its own. */
async function scoreIndependently(records: DoneRecord[], splitHead = false): Promise<{ empty: RecordScore; initial: RecordScore; final: RecordScore }[]> {
    const inputs = records.flatMap((record, index) => ["", record.z0, record.z].map((thinking, context) =>
        ({ line: 3 * index + context + 1, prompt: record.x, response: record.y, thinking })));
    const results: RecordScore[] = [];
    await scoreRecords(model, inputs, { template: "none", threads: 1, splitHead }, (result) => { results.push(result); });
    expect(results).toHaveLength(3 * records.length);
    return records.map((_, index) => ({ empty: results[3 * index]!, initial: results[3 * index + 1]!, final: results[3 * index + 2]! }));
}

function expectRelative(actual: number, expected: number, tolerance = 1e-6): void {
    expect(Math.abs(actual - expected) / Math.abs(expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function expectMatches(item: EvaluationItem, oracle: { empty: RecordScore; initial: RecordScore; final: RecordScore }): void {
    expectRelative(item.ppl_empty, oracle.empty.ppl);
    expectRelative(item.ppl_initial, oracle.initial.ppl);
    expectRelative(item.ppl_final, oracle.final.ppl);
    expectRelative(item.objective_empty, oracle.empty.clippedMeanNll);
    expectRelative(item.objective_initial, oracle.initial.clippedMeanNll);
    expectRelative(item.objective_final, oracle.final.clippedMeanNll);
    expect(item.tokens).toBe(oracle.final.tokenCount);
}

describe("evaluateTrace on stories260K", () => {
    it("gives each item the perplexities reer score computes for no z, z0 and z, and names what it did not score", async () => {
        const records = storyTrace();
        const evaluation = evaluationSchema.parse(await evaluateTrace(model, records, { template: "none", threads: 1 }));
        const done = records.filter((record): record is DoneRecord => record.status === "done");
        const oracle = await scoreIndependently(done);

        expect(evaluation.items.map((item) => item.id)).toEqual(storyItems.map((item) => item.id));
        evaluation.items.forEach((item, index) => expectMatches(item, oracle[index]!));
        // The three contexts differ, so the numbers do too (a mix-up of contexts would show here).
        for (const item of evaluation.items)
            expect(new Set([item.ppl_empty, item.ppl_initial, item.ppl_final]).size).toBe(3);

        expect(evaluation.summary.items).toBe(3);
        expect(evaluation.summary.skipped_records.map((record) => [record.id, record.status])).toEqual([["short", "skipped"], ["broken", "failed"]]);
        expect(evaluation.summary.skipped_records[1]!.reason).toBe("Error: decode failed");
        expect(evaluation.summary.duplicate_ids).toEqual([]);
        expect(evaluation.summary.template).toBe("none");
        expect(evaluation.summary.clip_floor).toBe(-2);
        expect(evaluation.summary.stopped).toBe(false);
        expect(evaluation.summary.scorer.path).toBe(modelPath);
        // The fixtures' run scored with a made-up model, so stories260K is a held-out judge.
        expect(evaluation.summary.held_out).toBe(true);
        // Shares from the items themselves.
        const better = evaluation.items.filter((item) => item.ppl_final < item.ppl_initial).length;
        expect(evaluation.summary.improved_vs_initial).toBeCloseTo(better / 3, 12);
    });

    it("scores an item's three contexts on one sequence, reusing the cache of x", async () => {
        const record = storyRecord(storyItems[0]!);
        const evaluation = await evaluateTrace(model, [record], { template: "none", threads: 1 });
        const xTokens = model.tokenizeText(`${record.x}\n\n`, "x", false).length;
        // z0 and z each reuse at least BOS + x; the first context reuses nothing.
        expect(evaluation.summary.scoring!.reused_tokens).toBeGreaterThanOrEqual(2 * xTokens);
        expect(evaluation.summary.held_out).toBe(true);
    });

    it("leaves y's head unscored with the plain layout exactly where the run did", async () => {
        const head = "Once upon a time there was a little cat named Lily who lived in a small house near the big green park.";
        const tail = "Every day she went to the park to play with her red ball in the warm sun, and then she came home to sleep.";
        const record = storyRecord(storyItems[0]!, { y: `${head}\n\n${tail}`, yHeadChars: head.length });
        const [evaluated] = (await evaluateTrace(model, [record], { template: "none", threads: 1 })).items;
        const [split] = await scoreIndependently([record], true);
        expectMatches(evaluated!, split!);
        const [whole] = await scoreIndependently([record], false);
        expect(evaluated!.tokens).toBeLessThan(whole!.final.tokenCount);
    });

    it("evaluates the last record of an id once and lists the id as duplicated", async () => {
        const [cat, boat] = storyItems;
        const earlier = storyRecord(cat!, { z: "The cat sleeps all day." });
        const later = storyRecord(cat!);
        const retried = skippedRecord({ id: boat!.id });
        const evaluation = await evaluateTrace(model, [earlier, storyRecord(boat!), later, retried], { template: "none", threads: 1 });
        expect(evaluation.items.map((item) => item.id)).toEqual(["cat"]);
        expect(evaluation.summary.duplicate_ids).toEqual(["cat", "boat"]);
        expect(evaluation.summary.skipped_records.map((record) => record.id)).toEqual(["boat"]);
        const [oracle] = await scoreIndependently([later]);
        expectMatches(evaluation.items[0]!, oracle!);
    });

    it("uses the given clip floor for the objectives and leaves the PPL unclipped", async () => {
        const record = storyRecord(storyItems[1]!);
        const loose = await evaluateTrace(model, [record], { template: "none", threads: 1, clipFloor: -2 });
        const tight = await evaluateTrace(model, [record], { template: "none", threads: 1, clipFloor: -0.5 });
        expect(tight.summary.clip_floor).toBe(-0.5);
        expect(tight.items[0]!.ppl_final).toBe(loose.items[0]!.ppl_final);
        expect(tight.items[0]!.objective_final).toBeLessThanOrEqual(0.5);
        expect(tight.items[0]!.objective_final).toBeLessThan(loose.items[0]!.objective_final);
    });

    it("refuses the paper layout on a model without a chat template, naming --template none", async () => {
        const promise = evaluateTrace(model, storyTrace(), { template: "paper", threads: 1 });
        await expect(promise).rejects.toMatchObject({ code: "NO_CHAT_TEMPLATE" });
        await expect(promise).rejects.toThrow(/paper layout/);
        await expect(promise).rejects.toSatisfy((error: { hint?: string }) => error.hint?.includes("--template none") === true);
    });

    it("fails on an item too long for the context, naming it, and with skipInvalid names it instead", async () => {
        const long = storyRecord(storyItems[2]!, { id: "long", z: `${storyItems[2]!.z} `.repeat(20) });
        const records = [storyRecord(storyItems[0]!), long];
        await expect(evaluateTrace(model, records, { template: "none", threads: 1, maxContextSize: 128 }))
            .rejects.toThrow(/Item "long" \(line 1\): Scoring this item needs \d+ tokens but the context holds 128/);
        const evaluation = await evaluateTrace(model, records, { template: "none", threads: 1, maxContextSize: 128, skipInvalid: true });
        expect(evaluation.items.map((item) => item.id)).toEqual(["cat"]);
        expect(evaluation.summary.skipped_records).toEqual([expect.objectContaining({ id: "long", status: "unscorable" })]);
    });

    it("stops after the item being scored when aborted, and says so", async () => {
        const controller = new AbortController();
        const evaluation = await evaluateTrace(model, storyTrace(), {
            template: "none", threads: 1, signal: controller.signal, onItem: () => controller.abort()
        });
        expect(evaluation.items).toHaveLength(1);
        expect(evaluation.summary.items).toBe(1);
        expect(evaluation.summary.stopped).toBe(true);
        expect(evaluationSchema.safeParse(evaluation).success).toBe(true);
    });
});
