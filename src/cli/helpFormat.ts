import { Help, type Command, type Option } from "commander";
import { exitCodesHelp } from "./exitCodes.js";

/**
 * One way of showing defaults in every command's help:
 *
 * - an option that takes a value and has a default ends its description with
 *   "(default X)": X is the value (from commander's default, or written into the
 *   description from a zod schema), or a phrase for a computed default, set as the
 *   option's defaultValueDescription ("physical cores", "--model", "stdout");
 * - switches (no value) show no default: they are off unless given, and a --no-x switch
 *   turns off something its description says is on otherwise;
 * - choices come before the default, as "(choices: a, b)".
 *
 * test/cli/helpText.test.ts checks every option of every command against these rules.
 */
export function defaultShown(option: Option): string | undefined {
    if (!option.required && !option.optional)
        return undefined;
    if (option.defaultValueDescription != null && option.defaultValueDescription !== "")
        return option.defaultValueDescription;
    const value: unknown = option.defaultValue;
    if (value === undefined)
        return undefined;
    return Array.isArray(value) ? value.join(",") : String(value);
}

const trailingDefault = /\s*\(default [^]*\)$/u;

class ReerHelp extends Help {
    public override optionDescription(option: Option): string {
        let description = option.description ?? "";
        const embedded = trailingDefault.exec(description);
        let defaultPart = embedded == null ? undefined : embedded[0].trim();
        if (embedded != null)
            description = description.slice(0, embedded.index);
        const shown = defaultShown(option);
        if (defaultPart == null && shown != null)
            defaultPart = `(default ${shown})`;
        const choices = option.argChoices == null ? undefined : `(choices: ${option.argChoices.join(", ")})`;
        return [description, choices, defaultPart].filter((part) => part != null && part !== "").join(" ");
    }
}

/** Applies the help format and the exit-code epilogue to `command` and its subcommands. */
export function configureHelp(command: Command, options: { exitCodes: boolean } = { exitCodes: true }): Command {
    command.createHelp = () => Object.assign(new ReerHelp(), command.configureHelp());
    if (options.exitCodes)
        command.addHelpText("after", `\n${exitCodesHelp}`);
    for (const sub of command.commands)
        configureHelp(sub, options);
    return command;
}
