import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { defaultShown } from "../../src/cli/helpFormat.js";
import { buildProgram } from "../../src/cli/program.js";

const program = buildProgram();
const commands = program.commands.filter((command) => command.name() !== "help");

/** The whole --help text of a command, as a user sees it (epilogue included). */
function fullHelp(command: Command): string {
    let text = "";
    command.configureOutput({ writeOut: (chunk) => { text += chunk; } });
    command.outputHelp();
    return text;
}

const flat = (text: string) => text.replace(/\s+/gu, " ");
const visible = (command: Command): Option[] => command.options.filter((option) => !option.hidden);
const describeOption = (command: Command, option: Option) => command.createHelp().optionDescription(option);

describe("--help speaks one language", () => {
    it("lists every command", () => {
        expect(commands.map((command) => command.name()).sort()).toEqual(["curate", "evaluate", "export", "inspect", "merge", "models", "pull", "report", "score", "stats", "status", "synthesize"]);
    });

    for (const command of commands) {
        describe(`reer ${command.name()}`, () => {
            const help = fullHelp(command);

            it("shows every default as \"(default X)\" at the end of the option's description, and nowhere else", () => {
                let withDefault = 0;
                for (const option of visible(command)) {
                    const description = describeOption(command, option);
                    const shown = defaultShown(option);
                    const takesValue = option.required || option.optional;
                    if (shown != null) {
                        withDefault++;
                        expect(description.endsWith(` (default ${shown})`), `${option.flags}: ${description}`).toBe(true);
                    }
                    // A default from a schema is written into the description; it too closes it.
                    if (description.includes("(default"))
                        expect(description, option.flags).toMatch(/ \(default [^()]*(\([^()]*\))?[^()]*\)$/u);
                    if (!takesValue)
                        expect(description, `${option.flags} is a switch: no default shown`).not.toContain("(default");
                    // Once per option at most.
                    expect(description.split("(default").length - 1, option.flags).toBeLessThanOrEqual(1);
                    if (description.includes("(default"))
                        expect(takesValue, `${option.flags} shows a default but takes no value`).toBe(true);
                }
                // Commander's own "(default: ...)" form, or a default written mid-text, never appears.
                expect(flat(help)).not.toMatch(/default:/u);
                const marks = flat(help).split("(default ").length - 1;
                expect(marks).toBeGreaterThanOrEqual(withDefault);
            });

            it("every option whose value has a default says so", () => {
                for (const option of visible(command)) {
                    const hasDefault = option.defaultValue !== undefined && option.defaultValue !== false;
                    if (hasDefault && (option.required || option.optional))
                        expect(describeOption(command, option), option.flags).toContain(`(default ${defaultShown(option)})`);
                }
            });

            it("-o is always the output file", () => {
                const output = command.options.find((option) => option.short === "-o");
                if (output != null) {
                    expect(output.long).toBe("--output");
                    expect(output.description).toMatch(/^output file/u);
                }
            });

            it("documents the exit codes", () => {
                expect(help).toContain("Exit codes:");
                for (const code of Object.values(ExitCode))
                    expect(help).toMatch(new RegExp(`^  ${code} `, "mu"));
            });
        });
    }

    it("documents the exit codes in the top-level help too", () => {
        const help = fullHelp(program);
        expect(help).toContain("Exit codes:");
        expect(help).toMatch(/^ {2}3 +partial result/mu);
        expect(help).toMatch(/^ {2}130 +interrupted/mu);
    });

    const command = (name: string) => commands.find((candidate) => candidate.name() === name)!;
    const longFlags = (name: string) => visible(command(name)).map((option) => option.long);

    it("shows the template defaults wherever a template can be chosen", () => {
        expect(flat(fullHelp(command("synthesize")))).toMatch(/--template <mode> .*\(default paper\)/u);
        expect(flat(fullHelp(command("synthesize")))).toMatch(/--generator-template <mode> .*\(default chat\)/u);
        expect(flat(fullHelp(command("score")))).toMatch(/--template <name> .*\(default paper\)/u);
    });

    it("one name, one meaning: curate's threshold is --min-score-drop, synthesize keeps --min-improvement", () => {
        expect(longFlags("curate")).toContain("--min-score-drop");
        expect(longFlags("curate")).not.toContain("--min-improvement");
        expect(command("curate").options.find((option) => option.long === "--min-improvement")?.hidden).toBe(true);
        expect(longFlags("synthesize")).toContain("--min-improvement");
        expect(longFlags("synthesize")).not.toContain("--min-score-drop");
    });

    it("score offers --quiet and --progress like synthesize", () => {
        for (const name of ["score", "synthesize"]) {
            expect(longFlags(name)).toContain("--quiet");
            expect(longFlags(name)).toContain("--progress");
        }
    });

    it("offers no flag a command ignores: inspect has no context flags, report's engine flags say they need --model", () => {
        expect(longFlags("inspect")).not.toContain("--context-size");
        expect(longFlags("inspect")).not.toContain("--threads");
        for (const option of visible(command("report")).filter((candidate) => ["--threads", "--context-size", "--gpu", "--kv-cache-type"].includes(candidate.long!)))
            expect(option.description, option.flags).toMatch(/^with --model: /u);
        expect(describeOption(command("report"), command("report").options.find((option) => option.long === "--model")!)).not.toContain("REER_MODEL");
    });
});
