#!/usr/bin/env node
import { CommanderError } from "commander";
import { ReerError } from "../errors/ReerError.js";
import { ExitCode, exitCodeFor, exitCodeOfSignal } from "./exitCodes.js";
import { interruptsHandled } from "./interruptibleRun.js";
import { isBrokenPipe, leaveOnBrokenPipe } from "./brokenPipe.js";
import { buildProgram } from "./program.js";

// Ctrl-C or SIGTERM while no command handles it (synthesize, score and evaluate do, to keep
// what they finished): leave at once with the documented code, not a signal death.
const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptsHandled())
        return;
    process.stderr.write(`\ninterrupted by ${signal}\n`);
    process.exit(exitCodeOfSignal(signal));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// `reer ... | head -1`: the reader went away, so the rest of the output has nowhere to go.
leaveOnBrokenPipe(process.stdout);
leaveOnBrokenPipe(process.stderr);
// A progress bar hides the cursor; however the process ends, the terminal gets it back.
process.on("exit", () => {
    if (process.stderr.isTTY)
        process.stderr.write("\u001B[?25h");
});

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
    if (isBrokenPipe(error))
        process.exit(ExitCode.brokenPipe);
    process.stderr.write(`reer: internal error (please report it): ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(ExitCode.failure);
}
