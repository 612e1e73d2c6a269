import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ExitCode, exitCodeFor, exitCodeOfError } from "../../src/cli/exitCodes.js";
import { ReerError } from "../../src/errors/ReerError.js";
import { endOf } from "../support/boundedChild.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { doneRecord } from "../support/traceFixtures.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "reer-exit-"));
const model = requireAsset(stories260kPath);

function write(name: string, text: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
}
const jsonl = (records: unknown[]) => records.map((record) => JSON.stringify(record)).join("\n") + "\n";

function sourceFiles(folder: string): string[] {
    return readdirSync(folder).flatMap((name) => {
        const file = path.join(folder, name);
        return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith(".ts") ? [file] : [];
    });
}

describe("exit codes", () => {
    it("classifies every ReerError code that src/ raises, in one table", () => {
        const raised = new Set<string>();
        for (const file of sourceFiles(path.join(repoRoot, "src")))
            for (const match of readFileSync(file, "utf8").matchAll(/(?:new ReerError|super)\(\s*"([A-Z][A-Z0-9_]+)"/gu))
                raised.add(match[1]!);
        expect(raised.size).toBeGreaterThan(20);
        const unclassified = [...raised].filter((code) => exitCodeOfError[code] == null).sort();
        expect(unclassified, "add these codes to exitCodeOfError in src/cli/exitCodes.ts").toEqual([]);
        expect(exitCodeFor(new ReerError("INVALID_CONFIG", "x"))).toBe(ExitCode.usage);
        expect(exitCodeFor(new ReerError("MODEL_TRUNCATED", "x"))).toBe(ExitCode.failure);
        expect(exitCodeFor(new ReerError("SOMETHING_NEW", "x"))).toBe(ExitCode.failure);
    });

    it("0: success", async () => {
        const help = await runCli(["--help"]);
        expect(help.code).toBe(0);
        expect(help.stdout).toContain("Exit codes:");
        const version = await runCli(["--version"]);
        expect(version.code).toBe(0);
    });

    it("1: an input error, named with its line and field", async () => {
        const input = write("number.jsonl", jsonl([{ prompt: "Tell a story.", response: "Once upon a time." }, { prompt: 5, response: "y" }]));
        const result = await runCli(["score", input, "--model", model, "--template", "none", "--threads", "1"]);
        expect(result.signal).toBeNull();
        expect(result.code).toBe(ExitCode.failure);
        expect(result.stderr).toContain(`${input} (line 2, field "prompt"): "prompt" must be a string, not a number (5)`);
        expect(result.stderr).not.toContain("is missing");
    });

    it("2: usage errors, commander's own and reer's", async () => {
        const unknown = await runCli(["stats", "t.jsonl", "--bogus"]);
        expect(unknown.code).toBe(ExitCode.usage);
        expect(unknown.stderr).toContain("unknown option '--bogus'");

        const missing = await runCli(["score"]);
        expect(missing.code).toBe(ExitCode.usage);
        expect(missing.stderr).toContain("missing required argument 'input'");

        const badValue = await runCli(["score", "in.jsonl", "--threads", "0"]);
        expect(badValue.code).toBe(ExitCode.usage);
        expect(badValue.stderr).toContain("expected a positive integer");

        const noCommand = await runCli([]);
        expect(noCommand.code).toBe(ExitCode.usage);

        const config = write("bad-curate.json", JSON.stringify({ repetition: { maxRatio: 7 } }));
        const badConfig = await runCli(["curate", "--print-config", "--config", config]);
        expect(badConfig.code).toBe(ExitCode.usage);
        expect(badConfig.stderr).toContain("repetition.maxRatio");
    });

    it("3: a partial result (merge with items missing), 0 when --allow-missing accepts it", async () => {
        const pairs = [
            { id: "one", prompt: "Tell a story about a fox.", response: "Once upon a time there was a fox." },
            { id: "two", prompt: "Tell a story about a bear.", response: "Once upon a time there was a bear." }
        ];
        const input = write("pairs.jsonl", jsonl(pairs));
        const trace = write("one.trace.jsonl", jsonl([doneRecord({ id: "one", x: pairs[0]!.prompt, y: pairs[0]!.response })]));
        const partial = await runCli(["merge", input, trace, "-o", path.join(dir, "merged.jsonl")]);
        expect(partial.code).toBe(ExitCode.partial);
        expect(partial.stderr).toContain("missing 1 item(s): two");
        const allowed = await runCli(["merge", input, trace, "-o", path.join(dir, "merged-allowed.jsonl"), "--allow-missing"]);
        expect(allowed.code).toBe(ExitCode.success);
    });

    it("130: interrupted; score stops after the record in hand, keeps what it scored and says so", async () => {
        const records = Array.from({ length: 3000 }, (_, index) => ({
            id: `r${index}`, prompt: `Tell a story about cat number ${index}.`,
            response: "Once upon a time there was a little cat. The cat liked to play in the sun every day, and she was happy."
        }));
        const input = write("many.jsonl", jsonl(records));
        const output = path.join(dir, "many.scores.jsonl");
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"),
            "score", input, "--model", model, "--template", "none", "--threads", "1", "--progress", "log", "-o", output], { cwd: repoRoot });
        let stderr = "";
        let sent = false;
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            if (!sent && /records scored/u.test(stderr)) {
                sent = true;
                child.kill("SIGINT");
            }
        });
        const { code, signal } = await endOf(child, "reer score");
        expect(sent).toBe(true);
        expect(signal).toBeNull();
        expect(code).toBe(ExitCode.interrupted);
        expect(stderr).toContain("stopping on SIGINT: the record in hand is dropped; every scored record is kept");
        expect(stderr).toMatch(/stopped by an interrupt with \d+ record\(s\) not scored; the \d+ scored are in /u);
        const scored = Number(/scored (\d+) record\(s\)/u.exec(stderr)![1]);
        expect(scored).toBeGreaterThan(0);
        expect(scored).toBeLessThan(records.length);
        expect(readFileSync(output, "utf8").trim().split("\n")).toHaveLength(scored);
    });

    /** `reer score` of many records to a file, sent `signals` all at once as soon as it reports progress. */
    async function scoreUntilSignalled(name: string, signals: NodeJS.Signals[]) {
        const records = Array.from({ length: 3000 }, (_, index) => ({
            id: `r${index}`, prompt: `Tell a story about dog number ${index}.`,
            response: "Once upon a time there was a little dog. The dog liked to run in the park every day, and he was happy."
        }));
        const input = write(`${name}.jsonl`, jsonl(records));
        const output = path.join(dir, `${name}.scores.jsonl`);
        const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"),
            "score", input, "--model", model, "--template", "none", "--threads", "1", "--progress", "log", "-o", output], { cwd: repoRoot });
        let stderr = "";
        let reported = 0;
        child.stderr.on("data", (chunk: Buffer) => {
            stderr += chunk.toString("utf8");
            const progress = /\[(\d+)\/\d+\] records scored/u.exec(stderr);
            if (reported === 0 && progress != null) {
                reported = Number(progress[1]);
                for (const signal of signals)
                    child.kill(signal);
            }
        });
        const { code, signal } = await endOf(child, "reer score");
        expect(reported).toBeGreaterThan(0);
        expect(signal).toBeNull();
        expect(stderr).not.toContain("internal error");
        // However it ended, every record scored before the stop is in the output, in order and whole.
        const exitedAtOnce = /exiting at once on a second SIG[A-Z]+: the (\d+) record\(s\) scored are in /u.exec(stderr);
        const count = Number((exitedAtOnce ?? /scored (\d+) record\(s\)/u.exec(stderr))![1]);
        expect(count).toBeGreaterThanOrEqual(reported);
        expect(count).toBeLessThan(records.length);
        const lines = readFileSync(output, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { id: string });
        expect(lines.map((line) => line.id)).toEqual(records.slice(0, count).map((record) => record.id));
        expect(readdirSync(dir).filter((entry) => entry.startsWith(`${name}.scores.jsonl.tmp-`))).toEqual([]);
        return { code, stderr, exitedAtOnce: exitedAtOnce != null };
    }

    it("130: two SIGINTs at once (GNU timeout -s INT signals the process, then its group) keep every record scored", async () => {
        // The kernel may merge two SIGINTs sent together into one; either way nothing scored is lost.
        const { code, stderr } = await scoreUntilSignalled("twice", ["SIGINT", "SIGINT"]);
        expect(code, stderr).toBe(ExitCode.interrupted);
    });

    it("143: a SIGINT and a SIGTERM at once exit at once on the second, keeping every record scored", async () => {
        // Two different signals are never merged, but the process may take them in either order,
        // and on a loaded machine the first stop may be over (even its summary written) when the
        // second lands. Either way every record scored is kept (checked above), and the code names
        // the signal that ended the run: the second when it exits at once or ends the exit, else the first.
        const { code, stderr } = await scoreUntilSignalled("int-term", ["SIGINT", "SIGTERM"]);
        const ending = /exiting at once on a second (SIGINT|SIGTERM)/u.exec(stderr)?.[1]
            ?? /interrupted by (SIGINT|SIGTERM)\s*$/u.exec(stderr)?.[1]
            ?? /stopping on (SIGINT|SIGTERM)/u.exec(stderr)?.[1];
        expect(ending, stderr).toBeDefined();
        expect(code, stderr).toBe(ending === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    });
});
