// Every done item records y's score with no thinking, from the same scorer and layout as
// its candidates: it must equal what `reer score` gives the same x and y with an empty z.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { traceRecordSchema, type DoneRecord } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-empty-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();

describe("the no-thinking baseline in every done record", () => {
    it("scoreEmpty equals reer score of the same x and y with an empty thinking within 1e-6, and the run says how many items beat it", async () => {
        const input = path.join(dir, "in.jsonl");
        writeFileSync(input, [3, 21].map((i) => JSON.stringify({ id: pairs[i]!.id, prompt: pairs[i]!.prompt, response: pairs[i]!.response })).join("\n") + "\n");
        const output = path.join(dir, "out.jsonl");
        const synthesized = await runCli(["synthesize", input, "-o", output, "--model", model, "--generator-template", "none", "--preset", "paper",
            "--template", "none", "--threads", "1", "--max-tokens", "160", "--max-steps", "1", "--min-thinking-tokens", "20", "--seed", "4",
            "--prompts", promptsWithParagraphOpener(), "--progress", "log"]);
        expect(synthesized.code, synthesized.stderr).toBe(0);
        const done = readFileSync(output, "utf8").trim().split("\n").map((line) => traceRecordSchema.parse(JSON.parse(line)))
            .filter((record): record is DoneRecord => record.status === "done");
        expect(done.length).toBeGreaterThan(0);
        const beaten = done.filter((record) => record.score.clippedMeanNll < record.scoreEmpty!.clippedMeanNll).length;
        expect(synthesized.stderr).toContain(`z* beats no thinking on ${beaten} of ${done.length} item(s)`);

        const rescoreInput = path.join(dir, "rescore.jsonl");
        writeFileSync(rescoreInput, done.map((record) => JSON.stringify({ id: record.id, prompt: record.x, response: record.y, thinking: "" })).join("\n") + "\n");
        const scored = await runCli(["score", rescoreInput, "--model", model, "--template", "none", "--threads", "1"]);
        expect(scored.code, scored.stderr).toBe(0);
        const fresh = new Map(scored.stdout.trim().split("\n").map((line) => JSON.parse(line) as { id: string; meanNll: number; clippedMeanNll: number; tokenCount: number })
            .map((line) => [line.id, line]));
        for (const record of done) {
            const empty = record.scoreEmpty!;
            expect(empty).toBeDefined();
            expect(fresh.get(record.id)!.tokenCount).toBe(empty.tokenCount);
            expect(Math.abs(fresh.get(record.id)!.meanNll - empty.meanNll)).toBeLessThan(1e-6);
            expect(Math.abs(fresh.get(record.id)!.clippedMeanNll - empty.clippedMeanNll)).toBeLessThan(1e-6);
        }
    });
});
