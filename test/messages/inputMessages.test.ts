import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mergeCommand } from "../../src/cli/commands/mergeCommand.js";
import { scoreCommand } from "../../src/cli/commands/scoreCommand.js";
import { synthesizeCommand } from "../../src/cli/commands/synthesizeCommand.js";
import { offeredFlags } from "../../src/cli/offeredFlags.js";
import { InvalidInputError } from "../../src/errors/inputErrors.js";
import { readRecords } from "../../src/io/readRecords.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-input-"));
function file(name: string, lines: unknown[]): string {
    const target = path.join(dir, name);
    writeFileSync(target, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n");
    return target;
}
async function firstError(input: string, options: Parameters<typeof readRecords>[1] = {}): Promise<InvalidInputError> {
    const error = await readRecords(input, options).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
}

describe("input record messages point the right way", () => {
    it("a number where a string belongs says so, with the value", async () => {
        const error = await firstError(file("number.jsonl", [{ prompt: 5, response: "y" }]));
        expect(error.message).toContain(`(line 1, field "prompt"): "prompt" must be a string, not a number (5)`);
        expect(error.message).not.toContain("missing");
        // A wrong type is not a naming problem: no field-mapping advice.
        expect(error.hint).not.toContain("--prompt-field");
    });

    it("names other wrong types too: null, arrays, objects, and a record that is not an object", async () => {
        expect((await firstError(file("null.jsonl", [{ prompt: "x", response: null }]))).message).toContain(`"response" must be a string, not null`);
        expect((await firstError(file("array.jsonl", [{ prompt: ["x"], response: "y" }]))).message).toContain(`"prompt" must be a string, not an array (["x"])`);
        expect((await firstError(file("thinking.jsonl", [{ prompt: "x", response: "y", thinking: { a: 1 } }]))).message)
            .toContain(`"thinking" must be a string when present, not an object ({"a":1})`);
        expect((await firstError(file("scalar.jsonl", ["42"]))).message).toContain("the record must be a JSON object, not a number");
    });

    it("a missing field says it is missing and names the flag that maps the key", async () => {
        const error = await firstError(file("missing.jsonl", [{ question: "x", response: "y" }]), { offeredFlags: offeredFlags(scoreCommand()) });
        expect(error.message).toContain(`"prompt" is missing`);
        expect(error.hint).toBe("Fix the record, pass --skip-invalid to skip it and count it, or name the key that holds it with --prompt-field.");
    });

    it("suggests only flags the command has", async () => {
        const bad = file("bad.jsonl", [{ response: "y" }, { prompt: "x" }, { prompt: 1, response: "y" }, { prompt: "x", response: "y", thinking: 3 }, "{oops"]);
        for (const command of [scoreCommand(), synthesizeCommand(), mergeCommand()]) {
            const flags = offeredFlags(command);
            const errors: InvalidInputError[] = [];
            await readRecords(bad, { skipInvalid: true, onInvalid: (error) => errors.push(error), offeredFlags: flags });
            expect(errors).toHaveLength(5);
            for (const error of errors)
                for (const flag of error.hint?.match(/--[a-z][a-z-]*/gu) ?? [])
                    expect(flags.has(flag), `${command.name()} has no ${flag} (hint: ${error.hint})`).toBe(true);
        }
        // merge has no --skip-invalid; synthesize has no --thinking-field.
        const mergeError = await firstError(bad, { offeredFlags: offeredFlags(mergeCommand()) });
        expect(mergeError.hint).toBe("Fix the record or name the key that holds it with --prompt-field.");
        expect(offeredFlags(synthesizeCommand()).has("--thinking-field")).toBe(false);
    });
});
