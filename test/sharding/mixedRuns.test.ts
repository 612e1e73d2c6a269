// Shards of two different runs (another model, other settings) must not be merged into
// one dataset: merge refuses them and names the files of each run and what differs.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/runCli.js";
import { doneRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-mixed-"));

function write(name: string, lines: unknown[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, lines.map((line) => JSON.stringify(line) + "\n").join(""));
    return file;
}

describe("merge of shards from different runs", () => {
    it("refuses them, naming each run's files and the settings that differ, and writes nothing", async () => {
        const input = write("input.jsonl", ["a", "b", "c"].map((id) => ({ id, prompt: `Prompt ${id}`, response: `Response ${id}` })));
        const settings = (maxTokens: number) => ({ sampling: { maxTokens }, generator: { sha: "abc", size: 1 } });
        const first = write("shard-0.jsonl", [doneRecord({ id: "a", key: "a", configHash: "1111", settings: settings(512) }), doneRecord({ id: "b", key: "b", configHash: "1111", settings: settings(512) })]);
        const second = write("shard-1.jsonl", [doneRecord({ id: "c", key: "c", configHash: "2222", settings: settings(1024) })]);
        const output = path.join(dir, "merged.jsonl");
        const result = await runCli(["merge", input, first, second, "-o", output]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`The traces hold 2 different runs: config 1111 in ${first} (2 record(s)); config 2222 in ${second} (1 record(s)); they differ in sampling.maxTokens.`);
        expect(existsSync(output)).toBe(false);
    });
});
