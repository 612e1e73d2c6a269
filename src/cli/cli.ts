#!/usr/bin/env node
import { Command } from "commander";
import { ReerError } from "../errors/ReerError.js";
import { REER_VERSION } from "../version.js";
import { curateCommand } from "./commands/curateCommand.js";
import { exportCommand } from "./commands/exportCommand.js";
import { inspectCommand } from "./commands/inspectCommand.js";
import { mergeCommand } from "./commands/mergeCommand.js";
import { reportCommand } from "./commands/reportCommand.js";
import { scoreCommand } from "./commands/scoreCommand.js";
import { statsCommand } from "./commands/statsCommand.js";
import { synthesizeCommand } from "./commands/synthesizeCommand.js";

const program = new Command("reer")
    .description("Reverse-Engineered Reasoning on local GGUF models: search for thinking trajectories z that make a known answer y predictable, and score PPL(y | x, z) exactly.")
    .version(REER_VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .addCommand(synthesizeCommand())
    .addCommand(scoreCommand())
    .addCommand(inspectCommand())
    .addCommand(mergeCommand())
    .addCommand(curateCommand())
    .addCommand(exportCommand())
    .addCommand(statsCommand())
    .addCommand(reportCommand());

try {
    await program.parseAsync(process.argv);
    // node-llama-cpp keeps native handles alive; leave promptly once the work is written.
    process.exit(process.exitCode ?? 0);
} catch (error) {
    if (error instanceof ReerError) {
        process.stderr.write(`reer: ${error.describe()}\n`);
        process.exit(2);
    }
    throw error;
}
