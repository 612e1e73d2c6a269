import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { traceRecordSchema } from "../../src/trace/traceRecordSchema.js";
import { loadSamplePairs } from "../support/pairs.js";
import { progressEvents, runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-synth-opts-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();
const input = path.join(dir, "in.jsonl");
writeFileSync(input, [5, 6, 7].map((i) => JSON.stringify({ id: pairs[i]!.id, prompt: pairs[i]!.prompt, response: pairs[i]!.response })).join("\n") + "\n");
const tiny = ["--model", model, "--generator-template", "none", "--preset", "paper", "--template", "none", "--threads", "1", "--max-tokens", "120", "--max-steps", "2", "--min-thinking-tokens", "20"];

describe("reer synthesize options", () => {
    it("prints the effective config with --dry-run: defaults < config file < flags", async () => {
        const config = path.join(dir, "config.json");
        writeFileSync(config, JSON.stringify({ seed: 3, search: { candidates: 4, maxSteps: 5 }, sampling: { temperature: 0.6 } }));
        const result = await runCli(["synthesize", input, "-o", path.join(dir, "unused.jsonl"), ...tiny, "--config", config, "--max-steps", "7", "--dry-run"]);
        expect(result.code).toBe(0);
        // stdout is the config alone, as --config takes it.
        const printed = JSON.parse(result.stdout);
        expect(printed.seed).toBe(3); // file
        expect(printed.search.candidates).toBe(4); // file, so 4 candidates below
        expect(printed.search.maxSteps).toBe(7); // flag beats file
        expect(printed.sampling.temperature).toBe(0.6); // file
        expect(printed.sampling.topP).toBe(0.85); // preset default
        expect(printed.sampling.maxTokens).toBe(120); // flag
        expect(printed.search.stopThreshold).toBe(0.25);
        expect(result.stderr).toMatch(/items: 3\n/);
        // 1 initial + 7 steps x 1 pass x 4 candidates
        expect(result.stderr).toMatch(/generator calls per item: at most 29 /);
        expect(existsSync(path.join(dir, "unused.jsonl"))).toBe(false);
    });

    // Sequential: one lane, one after another. Concurrent: parallel lanes that receive a copy of the evaluated prompt.
    it.each([
        ["sequential", "sequential candidates, 1 generation sequence(s)"],
        ["concurrent", "concurrent candidates, 3 generation sequence(s)"]
    ])("generates the candidates of a step with --candidate-mode %s", async (mode, engineLine) => {
        const output = path.join(dir, `${mode}.jsonl`);
        const one = path.join(dir, `one-${mode}.jsonl`);
        writeFileSync(one, JSON.stringify({ id: pairs[9]!.id, prompt: pairs[9]!.prompt, response: pairs[9]!.response }) + "\n");
        const result = await runCli(["synthesize", one, "-o", output, ...tiny, "--candidate-mode", mode, "--candidates", "3", "--prompts", promptsWithParagraphOpener(), "--progress", "log"]);
        expect(result.code).toBe(0);
        expect(result.stderr).toContain(engineLine);
        const record = traceRecordSchema.parse(JSON.parse(readFileSync(output, "utf8").trim()));
        expect(record.status).toBe("done");
        expect(record.steps.length).toBeGreaterThan(0);
        for (const step of record.steps)
            expect(step.candidates).toHaveLength(3);
        // Different seeds per candidate: the three generations are not all the same text.
        expect(new Set(record.steps[0]!.candidates.map((candidate) => candidate.raw)).size).toBeGreaterThan(1);
    });

    it("names the offending field of an invalid config file", async () => {
        const config = path.join(dir, "bad.json");
        writeFileSync(config, JSON.stringify({ search: { candidates: 0, maxStep: 3 } }));
        const result = await runCli(["synthesize", input, "-o", path.join(dir, "bad.out.jsonl"), ...tiny, "--config", config]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("search.candidates");
        expect(result.stderr).toMatch(/maxStep/);
    });

    it("stops cleanly on Ctrl-C after the current write, and the next run resumes", async () => {
        const output = path.join(dir, "interrupted.jsonl");
        // Ctrl-C as soon as the first item is reported written: two items (each a generation) are still to do.
        const interrupted = await runCli(["synthesize", input, "-o", output, ...tiny, "--progress", "json"],
            { interrupt: { signal: "SIGINT", when: (stderr) => progressEvents(stderr).some((event) => event.type === "item") } });
        expect(interrupted.interrupted).toBe(true);
        const written = readFileSync(output, "utf8");
        expect(written.endsWith("\n")).toBe(true);
        const firstRun = written.trim().split("\n").map((line) => traceRecordSchema.parse(JSON.parse(line)));
        expect(firstRun.length).toBeGreaterThanOrEqual(1);
        // It stopped early: not every item written, exit code 130, and a summary that says so.
        expect(firstRun.length).toBeLessThan(3);
        expect(interrupted.code).toBe(130);
        expect(progressEvents(interrupted.stderr).find((event) => event.type === "summary")).toMatchObject({ stopped: true, written: firstRun.length });

        const resumed = await runCli(["synthesize", input, "-o", output, ...tiny, "--progress", "json"]);
        expect(resumed.code).toBe(0);
        const events = resumed.stderr.trim().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
        expect(events.find((event) => event.type === "start").alreadyDone).toBe(firstRun.length);
        const all = readFileSync(output, "utf8").trim().split("\n").map((line) => traceRecordSchema.parse(JSON.parse(line)));
        expect(all.map((record) => record.id).sort()).toEqual([pairs[5]!.id, pairs[6]!.id, pairs[7]!.id].sort());
    });
});
