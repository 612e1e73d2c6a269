import cliProgress from "cli-progress";
import type { ProgressMode } from "./progressReporter.js";

/** Progress of a command that works through a known number of records (score). All on stderr. */
export type CountProgress = {
    /** The number of records to work through, once known. */
    start: (total: number) => void;
    /** One more record finished. */
    tick: () => void;
    /** The closing summary: `line` for people, `json` for --progress json. */
    finish: (line: string, json: Record<string, unknown>) => void;
    /** Clears a bar (before an error message or an abort). */
    stop: () => void;
};

/**
 * A bar on a terminal (bar), a line per N records with N a twentieth of the total (log),
 * JSON lines of the same (json), or nothing (none, for --quiet).
 */
export function createCountProgress(mode: ProgressMode | "none", noun: string): CountProgress {
    const write = (line: string) => process.stderr.write(line + "\n");
    let started = performance.now();
    let bar: cliProgress.SingleBar | undefined;
    let total = 0;
    let done = 0;
    let every = 1;
    const rate = () => (done / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1);
    const stop = () => {
        bar?.stop();
        bar = undefined;
    };
    return {
        start: (count) => {
            started = performance.now();
            total = count;
            every = Math.max(1, Math.ceil(count / 20));
            if (mode === "bar" && count > 0) {
                bar = new cliProgress.SingleBar({
                    format: `${noun}s {value}/{total} |{bar}| {rate} ${noun}s/s | ETA {eta_formatted}`,
                    hideCursor: true,
                    stream: process.stderr,
                    etaBuffer: 20
                }, cliProgress.Presets.shades_classic);
                bar.start(count, 0, { rate: "0.0" });
            }
        },
        tick: () => {
            done++;
            if (bar != null) {
                bar.update(done, { rate: rate() });
                return;
            }
            if (done % every !== 0 && done !== total)
                return;
            if (mode === "log")
                write(`[${done}/${total}] ${noun}s scored, ${rate()} ${noun}s/s`);
            else if (mode === "json")
                write(JSON.stringify({ type: "progress", done, total }));
        },
        finish: (line, json) => {
            stop();
            if (mode === "json")
                write(JSON.stringify({ type: "summary", ...json }));
            else if (mode !== "none")
                write(line);
        },
        stop
    };
}
