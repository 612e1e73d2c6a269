import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { contextOverflowHint } from "../../src/errors/inputErrors.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { skippedRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-advice-"));
const model = requireAsset(stories260kPath);
function write(name: string, lines: unknown[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
    return file;
}
const story = (sentences: number) => Array.from({ length: sentences }, (_, index) => `The little dog ran to the park number ${index} and played with a red ball.`).join(" ");

describe("advice matches the situation", () => {
    it("suggests a larger --context-size only while the context is below the model's training context", () => {
        expect(contextOverflowHint(2048, 2048)).not.toContain("--context-size");
        expect(contextOverflowHint(2048, 2048)).toContain("2048 tokens is this model's training context");
        expect(contextOverflowHint(512, 2048)).toContain("raise --context-size (up to 2048, the model's training context)");
    });

    it("score: a record longer than the model's whole context gets no --context-size advice", async () => {
        const input = write("long.jsonl", [{ id: "long", prompt: "Tell a long story.", response: story(200) }]);
        const result = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1"]);
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toMatch(/Record at line 1 \(id long\): Scoring this record needs \d+ tokens but the context holds 2048\./u);
        expect(result.stderr).not.toContain("--context-size");
        expect(result.stderr).toContain("use a model with a longer context");
    });

    it("score: under a --context-size cap it says how far the cap can go", async () => {
        const input = write("medium.jsonl", [{ id: "medium", prompt: "Tell a story.", response: story(20) }]);
        const result = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1", "--context-size", "128"]);
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("but the context holds 128.");
        expect(result.stderr).toContain("raise --context-size (up to 2048, the model's training context)");
    });

    it("report: without --item it does not say to leave out --item", async () => {
        const trace = write("skipped.trace.jsonl", [skippedRecord({ id: "only" })]);
        const result = await runCli(["report", trace, "-o", path.join(dir, "r.html"), "--model", model, "--threads", "1"]);
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain("None of the trace's 1 item(s) is done, so there is no trajectory for --model to re-score.");
        expect(result.stderr).toContain("Leave out --model");
        expect(result.stderr).not.toContain("--item");

        const named = await runCli(["report", trace, "-o", path.join(dir, "r2.html"), "--model", model, "--threads", "1", "--item", "only"]);
        expect(named.code).toBe(ExitCode.failure);
        expect(named.stderr).toContain(`Item "only" is skipped, so it has no final trajectory for --model to re-score.`);
        expect(named.stderr).toContain("Pick a done item with --item, or leave out --item");
    });

    it("no message or help text suggests a --thinking-field to synthesize", async () => {
        const input = write("bad-thinking.jsonl", [{ prompt: "x", response: "y", thinking: 3 }]);
        const result = await runCli(["synthesize", input, "-o", path.join(dir, "t.jsonl"), "--model", model, "--template", "none", "--generator-template", "none", "--preset", "paper"]);
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain(`"thinking" must be a string when present, not a number (3)`);
        expect(result.stderr).not.toContain("--thinking-field");
        expect(result.stderr).toContain("--skip-invalid");
    });
});
