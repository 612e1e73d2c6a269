import type { SynthesisConfig } from "../config/synthesisConfig.js";
import { ExitCode } from "./exitCodes.js";
import { createProgressReporter, type ProgressMode } from "./progressReporter.js";

export type ProgressFlags = { quiet: boolean; progress?: ProgressMode };

/** The progress mode the flags ask for: none with --quiet, else --progress, else a bar on a terminal and lines elsewhere. */
export function progressModeOf(flags: ProgressFlags): ProgressMode | "none" {
    return flags.quiet ? "none" : flags.progress ?? (process.stderr.isTTY ? "bar" : "log");
}

let activeListeners = 0;

/**
 * Whether a command is handling Ctrl-C itself right now (stopping after its current write);
 * the CLI's own handler, which exits at once, stands back then. Counted here rather than
 * read from process.listenerCount: libraries register signal listeners of their own.
 */
export function interruptsHandled(): boolean {
    return activeListeners > 0;
}

/**
 * Ctrl-C handling until `dispose`: the first SIGINT/SIGTERM aborts `signal`, so the work
 * stops after its current write; a second one exits at once with the interrupted code
 * (after `onAbortNow`, which clears a progress bar).
 */
export function listenForInterrupts(onAbortNow: () => void = () => {}): { signal: AbortSignal; dispose: () => void } {
    activeListeners++;
    const controller = new AbortController();
    let interrupts = 0;
    const onSignal = (): void => {
        interrupts++;
        if (interrupts === 1) {
            process.stderr.write("\nstopping: finishing the current write (Ctrl-C again to abort now)\n");
            controller.abort();
        } else {
            onAbortNow();
            process.stderr.write("aborted\n");
            process.exit(ExitCode.interrupted);
        }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return {
        signal: controller.signal,
        dispose: () => {
            activeListeners--;
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
        }
    };
}

/** Runs `run` under listenForInterrupts. */
export async function withInterrupts(run: (signal: AbortSignal) => Promise<void>, onAbortNow: () => void = () => {}): Promise<void> {
    const interrupts = listenForInterrupts(onAbortNow);
    try {
        await run(interrupts.signal);
    } finally {
        interrupts.dispose();
    }
}

/**
 * Runs a synthesis with progress output and Ctrl-C handling (see withInterrupts): the trace
 * stays valid whenever it stops, since every record is written whole.
 */
export async function interruptibleRun(config: SynthesisConfig, flags: ProgressFlags,
    run: (signal: AbortSignal, reporter: ReturnType<typeof createProgressReporter>) => Promise<void>): Promise<void> {
    const reporter = createProgressReporter(progressModeOf(flags), config);
    try {
        await withInterrupts((signal) => run(signal, reporter), () => reporter.stop());
    } finally {
        reporter.stop();
    }
}
