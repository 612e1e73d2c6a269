import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-progress-"));
const model = requireAsset(stories260kPath);

describe("reer curate --min-score-drop", () => {
    it("sets the least score drop; the old name still works with a note; both at once is a usage error", async () => {
        const renamed = await runCli(["curate", "--print-config", "--min-score-drop", "0.2"]);
        expect(renamed.code).toBe(ExitCode.success);
        expect(JSON.parse(renamed.stdout).improvement.min).toBe(0.2);
        expect(renamed.stderr).toBe("");

        const old = await runCli(["curate", "--print-config", "--min-improvement", "0.1"]);
        expect(old.code).toBe(ExitCode.success);
        expect(JSON.parse(old.stdout).improvement.min).toBe(0.1);
        expect(old.stderr).toContain("--min-improvement is now --min-score-drop");

        const both = await runCli(["curate", "--print-config", "--min-improvement", "0.1", "--min-score-drop", "0.2"]);
        expect(both.code).toBe(ExitCode.usage);
        expect(both.stderr).toContain("Give --min-score-drop only.");
    });
});

describe("reer score progress", () => {
    const input = path.join(dir, "pairs.jsonl");
    writeFileSync(input, Array.from({ length: 3 }, (_, index) =>
        JSON.stringify({ id: `p${index}`, prompt: "Tell a story.", response: `Once upon a time there was a cat called Tom number ${index}.` })).join("\n") + "\n");
    const base = ["score", input, "--model", model, "--template", "none", "--threads", "1"];

    it("log: a line per share of the records, then the summary", async () => {
        const result = await runCli([...base, "--progress", "log", "-o", path.join(dir, "log.jsonl")]);
        expect(result.code).toBe(ExitCode.success);
        expect(result.stderr).toMatch(/\[1\/3\] records scored.*\n\[2\/3\] records scored.*\n\[3\/3\] records scored/u);
        expect(result.stderr).toMatch(/scored 3 record\(s\); \d+ tokens evaluated/u);
    });

    it("json: JSON lines ending with a summary", async () => {
        const result = await runCli([...base, "--progress", "json", "-o", path.join(dir, "json.jsonl")]);
        expect(result.code).toBe(ExitCode.success);
        const lines = result.stderr.trim().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(lines.filter((line) => line.type === "progress").map((line) => line.done)).toEqual([1, 2, 3]);
        expect(lines.at(-1)).toMatchObject({ type: "summary", scored: 3, stopped: false });
    });

    it("--quiet: nothing on stderr, the results on stdout", async () => {
        const result = await runCli([...base, "--quiet"]);
        expect(result.code).toBe(ExitCode.success);
        // (A build without reer's native scoring may still warn about that; progress and summary stay silent.)
        expect(result.stderr).not.toMatch(/\[\d+\/\d+\]|scored \d+ record|"type"/u);
        expect(result.stdout.trim().split("\n")).toHaveLength(3);
    });
});
