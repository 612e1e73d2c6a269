// A real `reer synthesize` with SmolLM2-135M-Instruct in both roles on two shared pairs, kept
// small (short calls, two steps) so the tier runs in a few minutes on two cores: every item
// written, every edit turn's raw text recorded, the score never worse than the initial one,
// the same bytes from the same seed, and a SIGKILL in the middle resumed to the same output.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { traceRecordSchema, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { realModels, realModelsMissing } from "../support/realModels.js";
import { runCli } from "../support/runCli.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-real-"));
const pairs = loadSamplePairs();
const input = path.join(dir, "pairs.jsonl");
// A fable and a poem.
writeFileSync(input, [pairs[2]!, pairs[20]!].map((pair) => JSON.stringify({ id: pair.id, prompt: pair.prompt, response: pair.response })).join("\n") + "\n");
const run = ["--model", realModels.smollm2, "--threads", "1", "--seed", "3", "--max-tokens", "200", "--max-steps", "2", "--min-thinking-tokens", "40"];

function readTrace(file: string): TraceRecord[] {
    return readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => traceRecordSchema.parse(JSON.parse(line)));
}

/** A record without its wall-clock timings: everything else must be reproducible. */
const withoutTimings = (line: string) => {
    const { timings: _timings, ...rest } = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify(rest);
};
const comparableLines = (file: string) => readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map(withoutTimings);

describe.skipIf(realModelsMissing)("reer synthesize with SmolLM2-135M-Instruct", () => {
    const reference = path.join(dir, "reference.jsonl");
    let stderr = "";

    beforeAll(async () => {
        const result = await runCli(["synthesize", input, "-o", reference, ...run, "--progress", "log"]);
        expect(result.code, result.stderr).toBe(0);
        stderr = result.stderr;
    });

    it("writes every item, with every edit turn's raw text, and never ends above its initial score", () => {
        const records = readTrace(reference);
        expect(records.map((record) => record.id).sort()).toEqual([pairs[2]!.id, pairs[20]!.id].sort());
        // The default preset applies the small-model preset to a 135M generator, and says so.
        expect(stderr).toMatch(/adapted to the models: --constrain-rewrite .*\(the small-model preset/u);
        // It resamples: no candidate comes from an edit turn, and the summary counts none.
        expect(stderr).not.toMatch(/edit turn\(s\)/u);
        const done = records.filter((record) => record.status === "done");
        expect(done.length).toBeGreaterThan(0);
        for (const record of done) {
            // By the objective the search minimises (the preset's is the mean NLL).
            expect(record.objective).toBe("meanNll");
            expect(record.objectiveFinal).toBeLessThanOrEqual(record.objective0);
            expect(record.score.meanNll).toBeCloseTo(record.objectiveFinal, 12);
            expect(record.initial?.raw.length ?? 0).toBeGreaterThan(0);
            for (const step of record.steps) {
                // A removal (--prune): one candidate, the segment gone.
                if (step.candidates.some((candidate) => candidate.proposer === "prune")) {
                    expect(step.candidates).toEqual([expect.objectContaining({ proposer: "prune", text: "", status: "scored" })]);
                    continue;
                }
                const rewrites = step.candidates.filter((candidate) => candidate.proposer == null);
                const resampled = step.candidates.filter((candidate) => candidate.proposer === "resample");
                // --candidates 2 of each kind the preset's proposer makes.
                expect([2, 4]).toContain(step.candidates.length);
                expect(rewrites.length === 0 || rewrites.length === 2).toBe(true);
                for (const candidate of rewrites) {
                    // Under the grammar every edit turn closes exactly one block.
                    expect(candidate.raw.match(/<refine>/gu)).toHaveLength(1);
                    expect(candidate.raw).toMatch(/<\/refine>$/u);
                }
                // A resampled paragraph is one paragraph: no blank line in it.
                for (const candidate of resampled)
                    expect(candidate.raw).not.toMatch(/\n\s*\n/u);
            }
        }
    });

    it("gives the same output, byte for byte but the timings, from the same seed, files and threads", async () => {
        const again = path.join(dir, "again.jsonl");
        const result = await runCli(["synthesize", input, "-o", again, ...run]);
        expect(result.code, result.stderr).toBe(0);
        expect(comparableLines(again)).toEqual(comparableLines(reference));
    });

    it("resumes after a SIGKILL in the middle to the output of an uninterrupted run", async () => {
        const output = path.join(dir, "killed.jsonl");
        const killed = await runCli(["synthesize", input, "-o", output, ...run, "--progress", "json"],
            { interrupt: { signal: "SIGKILL", when: (text) => text.split("\n").some((line) => line.includes('"type":"item"')) } });
        expect(killed.interrupted).toBe(true);
        expect(killed.signal).toBe("SIGKILL");
        expect(readTrace(output).length).toBe(1);
        const resumed = await runCli(["synthesize", input, "-o", output, ...run]);
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stderr).toContain("1 kept from earlier runs");
        expect(comparableLines(output).sort()).toEqual(comparableLines(reference).sort());
    });
});
