// Options that mean one thing everywhere: "-o -" is refused by every command (no file named
// "-" appears, and no command quietly takes it for stdout while another writes a file); a
// format and an extension that disagree are refused either way round; an export option
// that only one format uses is refused with the others; every command's help has examples.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { buildProgram } from "../../src/cli/program.js";
import { runCli } from "../support/runCli.js";
import { doneRecord } from "../support/traceFixtures.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-consistent-"));
const trace = path.join(dir, "trace.jsonl");
writeFileSync(trace, JSON.stringify(doneRecord({ id: "one" })) + "\n");
const pairs = path.join(dir, "pairs.jsonl");
writeFileSync(pairs, JSON.stringify({ id: "one", prompt: "Tell a story.", response: "Once upon a time." }) + "\n");
const noModel = path.join(dir, "no-such-model.gguf");

describe("-o - is refused by every command that writes a file", () => {
    const commands: [string, string[]][] = [
        ["export", ["export", trace, "-o", "-"]],
        ["curate", ["curate", trace, "-o", "-"]],
        ["curate --rejected", ["curate", trace, "-o", path.join(dir, "kept.jsonl"), "--rejected", "-"]],
        ["evaluate", ["evaluate", trace, "--scorer", noModel, "-o", "-"]],
        ["score", ["score", pairs, "--model", noModel, "-o", "-"]],
        ["report", ["report", trace, "-o", "-"]],
        ["merge", ["merge", pairs, trace, "-o", "-"]],
        ["synthesize", ["synthesize", pairs, "--model", noModel, "-o", "-"]]
    ];
    for (const [name, args] of commands) {
        it(name, async () => {
            const result = await runCli(args, { cwd: dir });
            expect(result.code).toBe(ExitCode.usage);
            expect(result.stderr).toMatch(/^reer: (?:-o|--rejected) - is not taken for stdout by any reer command; leave out -o where a command writes to stdout/mu);
            expect(result.stdout).toBe("");
            expect(existsSync(path.join(dir, "-"))).toBe(false);
        });
    }
});

describe("export refuses a format and an extension that disagree, either way round", () => {
    it.each([
        ["--format parquet -o x.jsonl", ["--format", "parquet", "-o", path.join(dir, "x.jsonl")], "--format parquet writes Parquet, but"],
        ["--format messages -o x.parquet", ["--format", "messages", "-o", path.join(dir, "x.parquet")], "ends in .parquet but --format is messages"]
    ])("%s", async (_name, args, message) => {
        const result = await runCli(["export", trace, ...args]);
        expect(result.code).toBe(ExitCode.usage);
        expect(result.stderr).toContain(message);
        expect(readdirSync(dir).filter((name) => name.startsWith("x."))).toEqual([]);
    });

    it("a .parquet output with no --format, or --format parquet with one, writes Parquet", async () => {
        for (const args of [["-o", path.join(dir, "y.parquet")], ["--format", "parquet", "-o", path.join(dir, "z.parquet")]]) {
            const result = await runCli(["export", trace, ...args]);
            expect(result.code, result.stderr).toBe(0);
        }
    });
});

describe("export options that only one format uses are refused with the others", () => {
    it("--pair-with-original without --format preference, as --system with completion", async () => {
        for (const format of ["messages", "completion", "sharegpt"]) {
            const result = await runCli(["export", trace, "--format", format, "--pair-with-original"]);
            expect(result.code).toBe(ExitCode.usage);
            expect(result.stderr).toContain(`reer: --pair-with-original has no place in the ${format} format`);
            expect(result.stderr).toContain("Add --format preference, or leave out --pair-with-original.");
            expect(result.stdout).toBe("");
        }
        const system = await runCli(["export", trace, "--format", "completion", "--system", "Be brief."]);
        expect(system.code).toBe(ExitCode.usage);
        const preference = await runCli(["export", trace, "--format", "preference", "--pair-with-original"]);
        expect(preference.code, preference.stderr).toBe(0);
    });
});

describe("help", () => {
    it("every command's help ends with examples, inspect's too", () => {
        for (const command of buildProgram().commands) {
            let help = "";
            command.configureOutput({ writeOut: (text) => { help += text; } });
            command.outputHelp();
            expect(help, command.name()).toMatch(/^Examples?( \([^)]*\))?:\n {2}reer /mu);
        }
    });
});
