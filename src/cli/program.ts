import { Command } from "commander";
import { REER_VERSION } from "../version.js";
import { curateCommand } from "./commands/curateCommand.js";
import { evaluateCommand } from "./commands/evaluateCommand.js";
import { exportCommand } from "./commands/exportCommand.js";
import { inspectCommand } from "./commands/inspectCommand.js";
import { mergeCommand } from "./commands/mergeCommand.js";
import { modelsCommand } from "./commands/modelsCommand.js";
import { pullCommand } from "./commands/pullCommand.js";
import { reportCommand } from "./commands/reportCommand.js";
import { scoreCommand } from "./commands/scoreCommand.js";
import { statusCommand } from "./commands/statusCommand.js";
import { statsCommand } from "./commands/statsCommand.js";
import { synthesizeCommand } from "./commands/synthesizeCommand.js";
import { configureHelp } from "./helpFormat.js";

/**
 * The whole command line: every command, one help format, and commander's own errors
 * (unknown option, missing argument, bad value) thrown as CommanderError instead of
 * exiting, so cli.ts maps them to the usage exit code.
 */
export function buildProgram(): Command {
    const program = new Command("reer")
        .description("Reverse-Engineered Reasoning on local GGUF models: search for thinking trajectories z that make a known answer y predictable, and score PPL(y | x, z) exactly.")
        .version(REER_VERSION)
        .showHelpAfterError("(run with --help for usage)")
        .addCommand(synthesizeCommand())
        .addCommand(scoreCommand())
        .addCommand(inspectCommand())
        .addCommand(pullCommand())
        .addCommand(modelsCommand())
        .addCommand(mergeCommand())
        .addCommand(curateCommand())
        .addCommand(exportCommand())
        .addCommand(statusCommand())
        .addCommand(statsCommand())
        .addCommand(reportCommand())
        .addCommand(evaluateCommand());
    configureHelp(program);
    const throwInstead = (command: Command): void => {
        command.exitOverride();
        command.commands.forEach(throwInstead);
    };
    throwInstead(program);
    return program;
}
