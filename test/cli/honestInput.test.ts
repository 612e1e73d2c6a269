// Inputs that hold less than they seem: an empty input is refused in one line before any
// model is loaded (the model named here does not exist, so a check that came after loading
// would fail with a model error instead), and a trace that repeats ids is counted once per
// id, from the last record of each, with a note on stderr.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { runCli } from "../support/runCli.js";
import { doneRecord, failedRecord, skippedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-honest-"));
const noModel = path.join(dir, "no-such-model.gguf");

function write(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
}
const jsonl = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join("\n") + "\n";

describe("an empty input", () => {
    const cases = [
        ["an empty file", ""],
        ["only blank lines", "\n  \n\n"],
        ["an empty JSON array", "[]"]
    ] as const;

    for (const [what, text] of cases) {
        it(`score and synthesize refuse ${what} in one line, before loading a model`, async () => {
            const input = write(`empty-${what.replaceAll(" ", "-")}.jsonl`, text);
            const score = await runCli(["score", input, "--model", noModel, "-o", path.join(dir, "scores.jsonl")]);
            expect(score.code).toBe(ExitCode.failure);
            expect(score.stderr).toBe(`reer: ${input} holds no records: nothing to score.\n`);

            const output = path.join(dir, `trace-${what.replaceAll(" ", "-")}.jsonl`);
            for (const extra of [[], ["--dry-run"]]) {
                const synthesize = await runCli(["synthesize", input, "-o", output, "--model", noModel, ...extra]);
                expect(synthesize.code).toBe(ExitCode.failure);
                expect(synthesize.stderr).toBe(`reer: ${input} holds no records: nothing to synthesize.\n`);
            }
        });
    }

    it("with --skip-invalid, an input of invalid records only says so", async () => {
        const input = write("all-invalid.jsonl", jsonl([{ prompt: "x" }, { response: "y" }]));
        const score = await runCli(["score", input, "--model", noModel, "--skip-invalid", "--quiet"]);
        expect(score.code).toBe(ExitCode.failure);
        expect(score.stderr).toContain(`reer: ${input} holds no valid records (all 2 were invalid and skipped): nothing to score.`);
        const synthesize = await runCli(["synthesize", input, "-o", path.join(dir, "all-invalid.trace.jsonl"), "--model", noModel, "--skip-invalid"]);
        expect(synthesize.code).toBe(ExitCode.failure);
        expect(synthesize.stderr).toContain(`reer: ${input} holds no valid records (all 2 were invalid and skipped): nothing to synthesize.`);
    });
});

describe("a trace with duplicate ids", () => {
    // One trace appended to a retried copy of itself: "a" failed, then was done; "b" was skipped twice; "c" is once.
    const first = [failedRecord({ id: "a", x: "first a" }), skippedRecord({ id: "b" })];
    const second = [doneRecord({ id: "a", x: "second a" }), skippedRecord({ id: "b" }), doneRecord({ id: "c", x: "only c" })];
    const trace = write("dup.trace.jsonl", jsonl([...first, ...second]));
    const note = `note: 2 id(s) appear on more than one line of ${trace} (5 records, 3 distinct ids);`;

    it("stats counts each id once, from its last record, and says so", async () => {
        const result = await runCli(["stats", trace, "--json"]);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe(`${note} counting the last record of each: "a", "b"\n`);
        const report = JSON.parse(result.stdout) as { items: number; byStatus: Record<string, number> };
        expect(report.items).toBe(3);
        expect(report.byStatus).toEqual({ done: 2, skipped: 1, failed: 0 });
    });

    it("export writes each id once, from its last record, and says so", async () => {
        const result = await runCli(["export", trace, "--format", "completion"]);
        expect(result.code).toBe(0);
        expect(result.stderr).toContain(`${note} exporting the last record of each: "a", "b"\n`);
        const rows = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { id: string; prompt: string });
        expect(rows.map((row) => [row.id, row.prompt])).toEqual([["a", "second a"], ["c", "only c"]]);
    });

    it("report shows each id once and says so", async () => {
        const output = path.join(dir, "dup.html");
        const result = await runCli(["report", trace, "-o", output]);
        expect(result.code).toBe(0);
        expect(result.stderr).toContain(`${note} showing the last record of each: "a", "b"\n`);
        expect(result.stderr).toMatch(/: 3 item\(s\), showing /u);
        expect(readFileSync(output, "utf8")).not.toContain("first a");
    });
});
