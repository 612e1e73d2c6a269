import { describe, expect, it } from "vitest";
import { settingsDiff } from "../../src/synthesis/configHash.js";
import { planRun, type RunPlanInput } from "../../src/synthesis/planRun.js";

const inputs = [
    { line: 1, id: "a", prompt: "x1", response: "y1" },
    { line: 2, id: "b", prompt: "x2", response: "<think>\nplan\n</think>\n\nThe answer." },
    { line: 3, prompt: "x3", response: "y3" }
];
const base: RunPlanInput = { inputs, answerAfterThink: true, configHash: "h1", output: { file: "out.jsonl", items: [] }, others: [], retryFailed: false };

describe("planRun", () => {
    it("keeps input order, takes y after </think>, and keys items without an id by a content hash", () => {
        const plan = planRun(base);
        expect(plan.pending.map((item) => item.id)).toEqual(["a", "b", plan.items[2]!.key]);
        expect(plan.items[2]!.key).toMatch(/^sha256:[0-9a-f]{24}$/u);
        expect(plan.items[1]!.y).toBe("The answer.");
        // "<think>\nplan\n</think>" is 21 characters, then "\n\n" before the answer.
        expect(plan.items[1]!.thinkingStrippedChars).toBe(23);
        expect(planRun({ ...base, answerAfterThink: false }).items[1]!.y).toBe(inputs[1]!.response);
    });

    it("refuses two lines that are the same item", () => {
        expect(() => planRun({ ...base, inputs: [...inputs, { ...inputs[0]!, line: 4 }] })).toThrow(/lines 1 and 4 are the same item/u);
    });

    it("leaves out items an output holds, and failed ones only when they are not retried", () => {
        const output = { file: "out.jsonl", items: [{ key: "a", status: "done" as const, configHash: "h1" }, { key: "b", status: "failed" as const, configHash: "h1" }] };
        expect(planRun({ ...base, output }).pending.map((item) => item.id)).toEqual([planRun(base).items[2]!.key]);
        const retried = planRun({ ...base, output, retryFailed: true });
        expect(retried.pending.map((item) => item.id)).toEqual(["b", retried.items[2]!.key]);
        expect(retried.alreadyDone).toBe(1);
    });

    it("counts items finished in other shard files, and refuses them when made with other settings", () => {
        const others = [{ file: "out.shard-0-of-2.jsonl", items: [{ key: "b", status: "skipped" as const, configHash: "h1" }] }];
        expect(planRun({ ...base, others }).pending.map((item) => item.id)).toEqual(["a", planRun(base).items[2]!.key]);
        const changed = [{ file: "out.shard-0-of-2.jsonl", items: [{ key: "b", status: "done" as const, configHash: "h0" }] }];
        expect(() => planRun({ ...base, others: changed })).toThrow(/out\.shard-0-of-2\.jsonl holds item b made with other settings: config h0 there, h1 in this run/u);
    });

    it("names the settings that changed when the records carry them", () => {
        const settings = { seed: 0, sampling: { maxTokens: 300, topP: 0.85 } };
        const output = { file: "out.jsonl", items: [{ key: "a", status: "done" as const, configHash: "h0", settings: { seed: 0, sampling: { maxTokens: 200, topP: 0.85 } } }] };
        expect(() => planRun({ ...base, output, settings })).toThrow(/sampling\.maxTokens \(200 there, 300 now\)/u);
    });

    it("keeps only this shard's items", () => {
        const all = planRun(base).items.map((item) => item.key);
        const shards = [0, 1].map((index) => planRun({ ...base, shard: { index, count: 2 } }).mine.map((item) => item.key));
        expect([...shards[0]!, ...shards[1]!].sort()).toEqual([...all].sort());
        expect(shards[0]!.filter((key) => shards[1]!.includes(key))).toEqual([]);
    });
});

describe("settingsDiff", () => {
    it("lists the dotted paths that differ, including keys present on one side only", () => {
        expect(settingsDiff({ a: 1, b: { c: 2, d: [1, 2] } }, { a: 1, b: { c: 3, d: [1, 2], e: true } })).toEqual(["b.c", "b.e"]);
        expect(settingsDiff({ a: [1] }, { a: [2] })).toEqual(["a"]);
        expect(settingsDiff({ a: 1 }, { a: 1 })).toEqual([]);
    });
});
