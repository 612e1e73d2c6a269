import { ExitCode } from "./exitCodes.js";

/** A write to a pipe whose reader has gone (`| head -1`), as Node reports it. */
export function isBrokenPipe(error: unknown): boolean {
    return (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";
}

/**
 * Ends the process quietly, with 141 (128 + SIGPIPE, what a shell reports for a program
 * killed by a broken pipe), when `stream`'s reader goes away. Node ignores SIGPIPE and
 * reports the broken pipe as an 'error' event instead, which would otherwise surface as
 * an internal error with a stack trace. Nothing is printed: stderr may be that pipe.
 * Other errors of the stream are left to Node (they are thrown as before).
 */
export function leaveOnBrokenPipe(stream: NodeJS.WriteStream): void {
    stream.on("error", (error) => {
        if (isBrokenPipe(error))
            process.exit(ExitCode.brokenPipe);
        throw error;
    });
}
