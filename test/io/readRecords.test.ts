import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../src/errors/inputErrors.js";
import { readRecords } from "../../src/io/readRecords.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-read-"));
const file = (name: string, content: string) => {
    const target = path.join(dir, name);
    writeFileSync(target, content);
    return target;
};

describe("readRecords", () => {
    it("reads JSONL, skipping blank lines and keeping 1-based line numbers", async () => {
        const records = await readRecords(file("a.jsonl", '{"id":"a","prompt":"x1","response":"y1"}\n\n{"id":7,"prompt":"x2","response":"y2","thinking":"z2"}\n'));
        expect(records).toEqual([
            { line: 1, id: "a", prompt: "x1", response: "y1" },
            { line: 3, id: "7", prompt: "x2", response: "y2", thinking: "z2" }
        ]);
    });

    it("reads a JSON array with positions as line numbers", async () => {
        const records = await readRecords(file("b.json", '[{"prompt":"x1","response":"y1"},{"prompt":"x2","response":"y2"}]'));
        expect(records.map((record) => record.line)).toEqual([1, 2]);
    });

    it("maps other field names, such as the reference code's question/solution", async () => {
        const records = await readRecords(file("c.jsonl", '{"question":"q","solution":"s"}\n'), { fields: { prompt: "question", response: "solution" } });
        expect(records[0]).toMatchObject({ prompt: "q", response: "s" });
    });

    it("reads chat transcripts: the last user turn before the last assistant turn, and that assistant turn", async () => {
        const messages = [
            { role: "system", content: "be nice" },
            { role: "user", content: "first ask" },
            { role: "assistant", content: "first answer" },
            { role: "user", content: "the real ask" },
            { role: "assistant", content: "the real answer" }
        ];
        const records = await readRecords(file("d.jsonl", JSON.stringify({ id: "m", messages }) + "\n"));
        expect(records[0]).toMatchObject({ id: "m", prompt: "the real ask", response: "the real answer" });
    });

    it("names the line and the field of the first invalid record", async () => {
        const input = file("e.jsonl", '{"prompt":"x","response":"y"}\n{"prompt":"x","response":42}\n');
        const error = await readRecords(input).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidInputError);
        expect((error as InvalidInputError).line).toBe(2);
        expect((error as InvalidInputError).field).toBe("response");
        expect((error as Error).message).toContain(`${input} (line 2, field "response")`);
    });

    it("reports broken JSON and empty fields, and skips them on request", async () => {
        const input = file("f.jsonl", '{"prompt":"x","response":"y"}\n{"prompt": oops}\n{"prompt":"  ","response":"y"}\n[1]\n');
        await expect(readRecords(input)).rejects.toThrow(/line 2\): not valid JSON/);
        const skipped: InvalidInputError[] = [];
        const records = await readRecords(input, { skipInvalid: true, onInvalid: (error) => skipped.push(error) });
        expect(records).toHaveLength(1);
        expect(skipped.map((error) => [error.line, error.field])).toEqual([[2, undefined], [3, "prompt"], [4, undefined]]);
        expect(skipped[1]!.message).toContain('"prompt" is empty');
        expect(skipped[2]!.message).toContain("must be a JSON object");
    });
});
