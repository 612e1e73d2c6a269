// `reer ... | head -1`: when the reader of stdout goes away, the command ends quietly (exit
// 0, or 141 as a shell reports a program ended by a broken pipe), never as an internal error
// with a stack trace. The child's stdout is a pipe whose reading end this test closes after
// the first line, as head does.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { endOf } from "../support/boundedChild.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { doneRecord } from "../support/traceFixtures.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "reer-pipe-"));
const model = requireAsset(stories260kPath);

function writeJsonl(name: string, records: unknown[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, records.map((record) => JSON.stringify(record)).join("\n") + "\n");
    return file;
}

/** Runs the CLI, reads stdout up to its first line, then closes the pipe. */
function runUntilFirstLine(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; firstLine: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"), ...args], {
            cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"]
        });
        let stdout = "";
        let stderr = "";
        let firstLine: string | undefined;
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString("utf8");
            if (firstLine == null && stdout.includes("\n")) {
                firstLine = stdout.slice(0, stdout.indexOf("\n"));
                child.stdout.destroy();
            }
        });
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString("utf8"); });
        endOf(child, `reer ${args.join(" ")}`).then(({ code, signal }) => resolve({ code, signal, firstLine: firstLine ?? "", stderr }), reject);
    });
}

function expectQuietEnd(result: { code: number | null; signal: NodeJS.Signals | null; stderr: string }): void {
    expect(result.signal).toBeNull();
    expect([ExitCode.success, ExitCode.brokenPipe]).toContain(result.code);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.stderr).not.toMatch(/^\s+at /mu);
}

describe("a closed stdout", () => {
    it("ends `reer export ... | head -1` quietly", async () => {
        // Far more than a pipe holds (64 KiB), so writes are still coming when the pipe closes.
        const trace = writeJsonl("many.trace.jsonl", Array.from({ length: 3000 }, (_, index) => doneRecord({ id: `item-${index}` })));
        const result = await runUntilFirstLine(["export", trace]);
        expect(JSON.parse(result.firstLine)).toMatchObject({ id: "item-0" });
        expectQuietEnd(result);
        expect(result.code).toBe(ExitCode.brokenPipe);
    });

    it("ends `reer score ... | head -1` quietly, without scoring the rest", async () => {
        const input = writeJsonl("many.jsonl", Array.from({ length: 3000 }, (_, index) => ({
            id: `r${index}`, prompt: `Tell a story about cat number ${index}.`, response: "Once upon a time there was a little cat who liked the sun."
        })));
        const started = performance.now();
        const result = await runUntilFirstLine(["score", input, "--model", model, "--template", "none", "--threads", "1", "--progress", "log"]);
        expect(JSON.parse(result.firstLine)).toMatchObject({ id: "r0" });
        expectQuietEnd(result);
        expect(result.code).toBe(ExitCode.brokenPipe);
        // It stopped at the broken pipe: no summary of 3000 scored records.
        expect(result.stderr).not.toContain("scored 3000 record(s)");
        expect(performance.now() - started).toBeLessThan(60_000);
    });
});
