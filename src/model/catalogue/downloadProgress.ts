import cliProgress from "cli-progress";

/** Progress of one download, always on stderr (stdout stays for a command's results). */
export type DownloadProgress = {
    /** A new download of `totalBytes` (0 when unknown), described by `label`. */
    start: (label: string, totalBytes: number) => void;
    /** `bytes` more arrived. */
    add: (bytes: number) => void;
    /** Clears the bar; call before any other output and when the download ends. */
    stop: () => void;
};

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/**
 * A bar when stderr is a terminal; otherwise a plain line at each quarter of the download
 * and at most every 15 s, so a log shows that something is moving without filling up.
 * `enabled: false` shows nothing.
 */
export function createDownloadProgress(options: { tty?: boolean; enabled?: boolean; write?: (line: string) => void } = {}): DownloadProgress {
    const tty = options.tty ?? process.stderr.isTTY === true;
    const write = options.write ?? ((line: string) => process.stderr.write(line + "\n"));
    if (options.enabled === false)
        return { start: () => {}, add: () => {}, stop: () => {} };
    let bar: cliProgress.SingleBar | undefined;
    let label = "";
    let total = 0;
    let done = 0;
    let started = 0;
    let lastLine = 0;
    let nextQuarter = 1;
    const speed = (): string => mb(done / Math.max(0.001, (performance.now() - started) / 1000));
    return {
        start: (what, totalBytes) => {
            bar?.stop();
            label = what;
            total = totalBytes;
            done = 0;
            started = performance.now();
            lastLine = started;
            nextQuarter = 1;
            if (tty && totalBytes > 0) {
                bar = new cliProgress.SingleBar({
                    format: `${what} |{bar}| {percentage}% {doneMb}/{totalMb} MB | {speed} MB/s | ETA {eta_formatted}`,
                    hideCursor: true,
                    stream: process.stderr,
                    etaBuffer: 50
                }, cliProgress.Presets.shades_classic);
                bar.start(totalBytes, 0, { doneMb: "0.0", totalMb: mb(totalBytes), speed: "0.0" });
            }
        },
        add: (bytes) => {
            done += bytes;
            if (bar != null) {
                bar.update(Math.min(done, total), { doneMb: mb(done), speed: speed() });
                return;
            }
            const now = performance.now();
            const quarterReached = total > 0 && done >= (total * nextQuarter) / 4;
            if (quarterReached || now - lastLine >= 15_000) {
                while (total > 0 && done >= (total * nextQuarter) / 4)
                    nextQuarter++;
                lastLine = now;
                write(`  ${label}: ${mb(done)}${total > 0 ? `/${mb(total)}` : ""} MB${total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : ""}, ${speed()} MB/s`);
            }
        },
        stop: () => {
            bar?.stop();
            bar = undefined;
        }
    };
}
