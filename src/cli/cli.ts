#!/usr/bin/env node
import { CommanderError } from "commander";
import { ReerError } from "../errors/ReerError.js";
import { ExitCode, exitCodeFor } from "./exitCodes.js";
import { interruptsHandled } from "./interruptibleRun.js";
import { buildProgram } from "./program.js";

// Ctrl-C or SIGTERM while no command handles it (synthesize and score do, to stop after
// their current write): leave at once with the documented code, not a signal death.
const onSignal = (): void => {
    if (interruptsHandled())
        return;
    process.stderr.write("\ninterrupted\n");
    process.exit(ExitCode.interrupted);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
    await buildProgram().parseAsync(process.argv);
    // node-llama-cpp keeps native handles alive; leave promptly once the work is written.
    process.exit(process.exitCode ?? ExitCode.success);
} catch (error) {
    if (error instanceof CommanderError) {
        // Commander has printed its message (or the help, or the version) already.
        process.exit(error.exitCode === 0 ? ExitCode.success : ExitCode.usage);
    }
    if (error instanceof ReerError) {
        process.stderr.write(`reer: ${error.describe()}\n`);
        process.exit(exitCodeFor(error));
    }
    process.stderr.write(`reer: internal error (please report it): ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(ExitCode.failure);
}
