import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { traceRecordSchema, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { progressEvents, runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-synth-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();

// The tiny model has no chat template: plain prompts for both roles, small token limits.
const tinyFlags = ["--model", model, "--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1",
    "--max-tokens", "160", "--max-steps", "2", "--min-thinking-tokens", "20", "--seed", "7", "--progress", "log"];
const tinyRun = [...tinyFlags, "--prompts", promptsWithParagraphOpener()];

function writeInput(name: string, indexes: number[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, indexes.map((i) => JSON.stringify({ id: pairs[i]!.id, prompt: pairs[i]!.prompt, response: pairs[i]!.response })).join("\n") + "\n");
    return file;
}

function readTrace(file: string): TraceRecord[] {
    const text = readFileSync(file, "utf8");
    expect(text === "" || text.endsWith("\n")).toBe(true);
    return text.split("\n").filter((line) => line !== "").map((line) => traceRecordSchema.parse(JSON.parse(line)));
}

/** Everything but wall-clock timings, keyed by id. */
function comparable(records: TraceRecord[]): Map<string, string> {
    return new Map(records.map(({ timings: _timings, ...rest }) => [rest.id, JSON.stringify(rest)]));
}

describe("reer synthesize end to end on stories260K", () => {
    it("finishes every item, never worsens the best score, and reports a score that a fresh scoring reproduces", async () => {
        const input = writeInput("e2e.jsonl", [0, 17, 20]);
        const output = path.join(dir, "e2e.trace.jsonl");
        // Rewrites that the token cap cuts are accepted, so candidates reach the scorer.
        const run = [...tinyFlags, "--prompts", promptsWithParagraphOpener({ openRefine: true }), "--accept-unclosed-rewrite"];
        const result = await runCli(["synthesize", input, "-o", output, ...run]);
        expect(result.stderr).toMatch(/3 item\(s\) written/);
        expect(result.code).toBe(0);
        const records = readTrace(output);
        expect(records.map((record) => record.id).sort()).toEqual([pairs[0]!.id, pairs[17]!.id, pairs[20]!.id].sort());
        for (const record of records) {
            expect(["done", "skipped"]).toContain(record.status);
            if (record.status !== "done") {
                expect(record.status === "skipped" && record.reason).toBeTruthy();
                continue;
            }
            let best = record.objective0;
            for (const step of record.steps) {
                expect(step.best).toBeLessThanOrEqual(best);
                best = step.best;
            }
            expect(record.score.clippedMeanNll).toBeLessThanOrEqual(record.score0.clippedMeanNll);
        }

        // Re-score every final z from scratch with `reer score` and compare.
        const done = records.filter((record) => record.status === "done");
        expect(done.length).toBeGreaterThan(0);
        expect(done.some((record) => record.steps.length > 0)).toBe(true);
        const candidates = done.flatMap((record) => record.steps.flatMap((step) => step.candidates));
        // The pre-fill is part of each candidate's turn, and it opened the block that was kept.
        for (const candidate of candidates)
            expect(candidate.raw.startsWith("Here is the better paragraph.\n<refine>\n")).toBe(true);
        expect(candidates.filter((candidate) => candidate.status === "scored").length).toBeGreaterThan(0);
        // Some rewrite was kept, so the re-scoring below checks a z the search changed.
        expect(done.some((record) => record.steps.some((step) => step.chosen != null))).toBe(true);
        const rescoreInput = path.join(dir, "rescore.jsonl");
        writeFileSync(rescoreInput, done.map((record) => JSON.stringify({ id: record.id, prompt: record.x, response: record.y, thinking: record.z })).join("\n") + "\n");
        const rescored = await runCli(["score", rescoreInput, "--model", model, "--template", "none", "--threads", "1"]);
        expect(rescored.code).toBe(0);
        const fresh = new Map(rescored.stdout.trim().split("\n").map((line) => JSON.parse(line)).map((line) => [line.id, line]));
        for (const record of done) {
            expect(fresh.get(record.id).tokenCount).toBe(record.score!.tokenCount);
            expect(fresh.get(record.id).clippedMeanNll).toBeCloseTo(record.score!.clippedMeanNll, 10);
            expect(fresh.get(record.id).meanNll).toBeCloseTo(record.score!.meanNll, 10);
        }
    });

    it("survives SIGKILL at different moments: resuming gives every item once, no torn line, and the uninterrupted result", async () => {
        const input = writeInput("crash.jsonl", [1, 2, 3, 4]);
        const reference = path.join(dir, "reference.trace.jsonl");
        const uninterrupted = await runCli(["synthesize", input, "-o", reference, ...tinyRun]);
        expect(uninterrupted.code).toBe(0);
        const expected = comparable(readTrace(reference));
        expect(expected.size).toBe(4);

        const output = path.join(dir, "crashed.trace.jsonl");
        // The killed runs report progress as JSON lines, so each kill lands at a moment seen in the output:
        // once right after the first item is written, once in the middle of a later item (after one of its steps).
        const killedRun = tinyRun.map((arg, index) => (tinyRun[index - 1] === "--progress" ? "json" : arg));
        const first = await runCli(["synthesize", input, "-o", output, ...killedRun],
            { interrupt: { signal: "SIGKILL", when: (stderr) => progressEvents(stderr).some((event) => event.type === "item") } });
        expect(first.interrupted).toBe(true);
        expect(first.signal).toBe("SIGKILL");
        const afterFirstKill = readTrace(output).length;
        expect(afterFirstKill).toBeGreaterThanOrEqual(1);
        expect(afterFirstKill).toBeLessThan(4);

        const second = await runCli(["synthesize", input, "-o", output, ...killedRun],
            { interrupt: { signal: "SIGKILL", when: (stderr) => progressEvents(stderr).some((event) => event.type === "progress" && event.phase === "step") } });
        expect(second.interrupted).toBe(true);
        expect(second.signal).toBe("SIGKILL");
        // It resumed after the first kill and was stopped before finishing every item.
        expect(progressEvents(second.stderr).find((event) => event.type === "start")).toMatchObject({ alreadyDone: afterFirstKill });
        const afterSecondKill = readTrace(output).length;
        expect(afterSecondKill).toBeGreaterThanOrEqual(afterFirstKill);
        expect(afterSecondKill).toBeLessThan(4);

        // Simulate a write torn by the kill: half a line at the end of the file.
        writeFileSync(output, readFileSync(output, "utf8") + '{"id":"torn-wri');
        const resumed = await runCli(["synthesize", input, "-o", output, ...tinyRun]);
        expect(resumed.code).toBe(0);
        expect(resumed.stderr).toContain("removed a torn last line");
        const records = readTrace(output);
        expect(records.map((record) => record.id).sort()).toEqual([...expected.keys()].sort());
        expect(comparable(records)).toEqual(expected);

        // A further run has nothing to do and changes nothing.
        const again = await runCli(["synthesize", input, "-o", output, ...tinyRun]);
        expect(again.stderr).toContain("nothing to do");
        expect(comparable(readTrace(output))).toEqual(expected);
    });
});
