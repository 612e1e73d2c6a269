import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readTraceFile, readTraceLines } from "../../src/trace/readTrace.js";
import { doneRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-read-trace-"));
const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
};
const line = (id: string) => JSON.stringify(doneRecord({ id }));

describe("readTraceFile", () => {
    it("reads valid lines, skipping blank ones, with their line numbers and text", async () => {
        const file = write("ok.jsonl", `${line("a")}\n\n${line("b")}\n`);
        const lines = [];
        for await (const entry of readTraceLines(file))
            lines.push(entry);
        expect(lines.map((entry) => [entry.line, entry.record.id])).toEqual([[1, "a"], [3, "b"]]);
        expect(lines[0]!.text).toBe(line("a"));
    });

    it("names the line of a record that is not JSON or not a trace record", async () => {
        await expect(readTraceFile(write("json.jsonl", `${line("a")}\n{oops\n${line("b")}\n`))).rejects.toThrow(/line 2: not valid JSON/u);
        const { x: _x, ...noX } = doneRecord();
        await expect(readTraceFile(write("shape.jsonl", `${line("a")}\n${line("b")}\n${JSON.stringify(noX)}\n`))).rejects.toThrow(/line 3: .*field "x"/u);
        await expect(readTraceFile(write("status.jsonl", JSON.stringify({ ...doneRecord(), status: "odd" }) + "\n"))).rejects.toThrow(/line 1: .*field "status"/u);
    });

    it("tolerates a torn last line only when asked to and the file lacks a final newline", async () => {
        const torn = write("torn.jsonl", `${line("a")}\n${line("b").slice(0, 40)}`);
        await expect(readTraceFile(torn)).rejects.toThrow(/line 2/u);
        const tornLines: number[] = [];
        const records = await readTraceFile(torn, { onTornTail: (at) => tornLines.push(at) });
        expect(records.map((record) => record.id)).toEqual(["a"]);
        expect(tornLines).toEqual([2]);
        await expect(readTraceFile(write("bad-end.jsonl", `${line("a")}\n{oops\n`), { onTornTail: () => {} })).rejects.toThrow(/line 2/u);
    });

    it("reports a missing file", async () => {
        await expect(readTraceFile(path.join(dir, "missing.jsonl"))).rejects.toMatchObject({ code: "TRACE_NOT_FOUND", message: expect.stringMatching(/No trace file/u) });
    });
});
