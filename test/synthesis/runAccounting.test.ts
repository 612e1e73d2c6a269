// What a run cost, and what it is doing, on a real (tiny) model: every record's tokens and
// time by phase agree with the drafts and candidates it holds, the status file follows the
// trace and ends "finished", and a writer killed with SIGKILL is reported as gone.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runStatusSchema } from "../../src/trace/runStatusSchema.js";
import { traceRecordSchema, type TraceRecord } from "../../src/trace/traceRecordSchema.js";
import { endOf } from "../support/boundedChild.js";
import { loadSamplePairs } from "../support/pairs.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { promptsWithParagraphOpener } from "../support/testPrompts.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "reer-accounting-"));
const model = requireAsset(stories260kPath);
const pairs = loadSamplePairs();
// Paragraph openers make stories260K's drafts split into segments, so items reach the search's steps.
const flags = ["--model", model, "--template", "none", "--generator-template", "none", "--preset", "paper", "--threads", "1",
    "--max-tokens", "160", "--max-steps", "1", "--candidates", "2", "--min-thinking-tokens", "20", "--seed", "4",
    "--prompts", promptsWithParagraphOpener(), "--progress", "log"];

function writeInput(name: string, count: number): string {
    const file = path.join(dir, name);
    writeFileSync(file, pairs.slice(0, count).map(({ id, prompt, response }) => JSON.stringify({ id, prompt, response }) + "\n").join(""));
    return file;
}

const readTrace = (file: string): TraceRecord[] => readFileSync(file, "utf8").trim().split("\n").map((line) => traceRecordSchema.parse(JSON.parse(line)));
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);

describe("accounting and the status file of a run", () => {
    it("splits each item's tokens and time by phase as its drafts and candidates add up, and the status, summary and stats agree", async () => {
        const input = writeInput("three.jsonl", 3);
        const output = path.join(dir, "three.out.jsonl");
        const run = await runCli(["synthesize", input, "-o", output, ...flags]);
        expect(run.code, run.stderr).toBe(0);
        const records = readTrace(output);
        expect(records).toHaveLength(3);
        for (const record of records) {
            const drafts = record.status === "done" || record.status === "skipped" ? (record.drafts ?? (record.initial == null ? [] : [record.initial])) : [];
            const candidates = record.steps.flatMap((step) => step.candidates);
            expect(record.tokens.generatedDrafting, record.id).toBe(sum(drafts.map((draft) => draft.tokensGenerated)));
            expect(record.tokens.generatedProposing, record.id).toBe(sum(candidates.map((candidate) => candidate.tokensGenerated ?? 0)));
            expect(record.tokens.generated).toBe(record.tokens.generatedDrafting! + record.tokens.generatedProposing!);
            expect(Math.abs(record.timings.draftingMs! + record.timings.proposingMs! - record.timings.generationMs)).toBeLessThanOrEqual(0.2);
            expect(record.timings.draftingMs!).toBeGreaterThan(0);
            // The phases never overlap on one sequence: together they fit in the item's time.
            expect(record.timings.generationMs + record.timings.scoringMs).toBeLessThanOrEqual(record.timings.totalMs + 0.2);
        }
        expect(records.some((record) => record.tokens.generatedProposing! > 0)).toBe(true);
        const generated = sum(records.map((record) => record.tokens.generated));
        expect(run.stderr).toContain(`tokens: ${generated.toLocaleString("en-US")} generated`);

        const status = runStatusSchema.parse(JSON.parse(readFileSync(`${output}.status.json`, "utf8")));
        expect(status).toMatchObject({ state: "finished", items: { total: 3, inFlight: 0, pending: 0 }, etaSeconds: 0 });
        expect(status.items.done + status.items.skipped + status.items.failed).toBe(3);
        expect(status.tokens.generated).toBe(generated);
        expect(status.tokens.scored).toBe(sum(records.map((record) => record.tokens.scoringEvaluated)));
        const shown = await runCli(["status", output]);
        expect(shown.code, shown.stderr).toBe(0);
        expect(shown.stdout).toMatch(/^- +3\/3 .*finished$/mu);

        const stats = await runCli(["stats", output]);
        expect(stats.code, stats.stderr).toBe(0);
        const drafting = sum(records.map((record) => record.tokens.generatedDrafting!)) / (sum(records.map((record) => record.timings.draftingMs!)) / 1000);
        expect(stats.stdout).toContain(`tokens/s by phase: drafting ${drafting.toFixed(1)} `);
    });

    it("leaves a status that reer status calls GONE after the writer is killed with SIGKILL, with the items written so far", async () => {
        const input = writeInput("many.jsonl", 12);
        const output = path.join(dir, "killed.out.jsonl");
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"), "synthesize", input, "-o", output, ...flags],
            { cwd: repoRoot, stdio: ["ignore", "ignore", "pipe"] });
        const ended = endOf(child, "reer synthesize");
        // Killed as soon as one item is in the trace.
        for (let tries = 0; tries < 1200 && !(existsSync(output) && readFileSync(output, "utf8").includes("\n")); tries++)
            await new Promise((resolve) => setTimeout(resolve, 50));
        child.kill("SIGKILL");
        await ended;
        const written = readTrace(output).length;
        expect(written).toBeGreaterThan(0);
        expect(written).toBeLessThan(12);
        const status = runStatusSchema.parse(JSON.parse(readFileSync(`${output}.status.json`, "utf8")));
        expect(status.state).toBe("running");
        expect(status.items.done + status.items.skipped + status.items.failed).toBeLessThanOrEqual(written);
        const shown = await runCli(["status", output]);
        expect(shown.code).toBe(1);
        expect(shown.stdout).toContain(`GONE: pid ${child.pid} no longer runs`);
    });
});
