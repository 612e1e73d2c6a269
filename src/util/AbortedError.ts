/**
 * Thrown by a generation or scoring call whose AbortSignal fired (Ctrl-C, SIGTERM): the
 * work in hand is dropped, never recorded as a result. Not a ReerError, so nothing that
 * turns ReerErrors into skipped items or error stops mistakes a stop for a failure.
 */
export class AbortedError extends Error {
    public constructor(message = "aborted") {
        super(message);
        this.name = "AbortedError";
    }
}

/** Throws AbortedError when `signal` has fired; the check every long loop makes between its steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted === true)
        throw new AbortedError();
}
