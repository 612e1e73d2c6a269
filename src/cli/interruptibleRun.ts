import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { RunEvent } from "../synthesis/runSynthesis.js";
import { ExitCode, exitCodeOfSignal, type ExitCodeValue } from "./exitCodes.js";
import { createProgressReporter, type ProgressMode } from "./progressReporter.js";

export type ProgressFlags = { quiet: boolean; progress?: ProgressMode };

/** The progress mode the flags ask for: none with --quiet, else --progress, else a bar on a terminal and lines elsewhere. */
export function progressModeOf(flags: ProgressFlags): ProgressMode | "none" {
    return flags.quiet ? "none" : flags.progress ?? (process.stderr.isTTY ? "bar" : "log");
}

let activeListeners = 0;

/**
 * Whether a command is handling Ctrl-C itself right now (stopping the call in hand); the
 * CLI's own handler, which exits at once, stands back then. Counted here rather than
 * read from process.listenerCount: libraries register signal listeners of their own.
 */
export function interruptsHandled(): boolean {
    return activeListeners > 0;
}

export type InterruptOptions = {
    /** What the first signal does, completing "stopping on SIGINT: ...". */
    stopping: string;
    /**
     * Runs on a second signal, just before the process exits: clears a progress bar, saves
     * what was kept (synchronously, nothing after it runs), and says what that was.
     */
    onExitNow?: () => string | undefined;
};

export type Interrupts = {
    /** Aborted by the first SIGINT or SIGTERM. */
    signal: AbortSignal;
    /** The exit code of the stop: 130 after SIGINT, 143 after SIGTERM. */
    exitCode: () => ExitCodeValue;
    dispose: () => void;
};

/**
 * Ctrl-C and SIGTERM handling until `dispose`: the first signal aborts `signal`, which
 * the work checks between tokens and decode batches, so it stops within a decode step
 * and keeps what it finished; a second one exits at once (after `onExitNow`). GNU
 * `timeout -s INT` signals the process and then its group, so two signals arriving
 * together is an ordinary way to stop, not an impatient user: `onExitNow` must keep the
 * finished work as the first signal would.
 */
export function listenForInterrupts(options: InterruptOptions): Interrupts {
    activeListeners++;
    const controller = new AbortController();
    let first: NodeJS.Signals | undefined;
    const onSignal = (received: NodeJS.Signals): void => {
        if (first == null) {
            first = received;
            process.stderr.write(`\nstopping on ${received}: ${options.stopping} (a second Ctrl-C or SIGTERM exits at once)\n`);
            controller.abort();
            return;
        }
        const kept = options.onExitNow?.();
        process.stderr.write(`exiting at once on a second ${received}${kept == null ? "" : `: ${kept}`}\n`);
        process.exit(exitCodeOfSignal(received));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    return {
        signal: controller.signal,
        exitCode: () => (first == null ? ExitCode.interrupted : exitCodeOfSignal(first)),
        dispose: () => {
            activeListeners--;
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
        }
    };
}

/**
 * Runs a synthesis with progress output and Ctrl-C handling (see listenForInterrupts):
 * the items in flight are abandoned (the next run redoes them) and every finished item is
 * already in the trace, appended whole as it finished, so a second signal loses nothing.
 */
export async function interruptibleRun(config: SynthesisConfig, flags: ProgressFlags,
    run: (interrupts: Interrupts, reporter: ReturnType<typeof createProgressReporter>) => Promise<void>): Promise<void> {
    const reporter = createProgressReporter(progressModeOf(flags), config);
    let written = 0;
    const counted = {
        ...reporter,
        onEvent: (event: RunEvent) => {
            if (event.type === "item")
                written++;
            reporter.onEvent(event);
        }
    };
    const interrupts = listenForInterrupts({
        stopping: "abandoning the item(s) in flight, which the next run redoes; every finished item is kept",
        onExitNow: () => {
            reporter.stop();
            return `the ${written} item(s) this run finished are in the trace; run the same command to resume`;
        }
    });
    try {
        await run(interrupts, counted);
    } finally {
        interrupts.dispose();
        reporter.stop();
    }
}
