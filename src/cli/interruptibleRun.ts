import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { createProgressReporter, type ProgressMode } from "./progressReporter.js";

export type ProgressFlags = { quiet: boolean; progress?: ProgressMode };

/**
 * Runs `run` with progress output and Ctrl-C handling: the first SIGINT/SIGTERM asks the
 * run to stop after the current write, a second one exits at once (the trace stays valid,
 * since every record is written whole).
 */
export async function interruptibleRun(config: SynthesisConfig, flags: ProgressFlags,
    run: (signal: AbortSignal, reporter: ReturnType<typeof createProgressReporter>) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    const mode: ProgressMode | "none" = flags.quiet ? "none" : flags.progress ?? (process.stderr.isTTY ? "bar" : "log");
    const reporter = createProgressReporter(mode, config);
    let interrupts = 0;
    const onSignal = (): void => {
        interrupts++;
        if (interrupts === 1) {
            process.stderr.write("\nstopping: finishing the current write (Ctrl-C again to abort now)\n");
            controller.abort();
        } else {
            reporter.stop();
            process.stderr.write("aborted\n");
            process.exit(130);
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        await run(controller.signal, reporter);
    } finally {
        reporter.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
    }
}
