/**
 * One source of a model could not give it (unreachable, no such file, a bad wheel): the
 * next source is tried, and the reason ends up in the one message that lists them all.
 * Not a ReerError: it never reaches the user on its own.
 */
export class SourceFailure extends Error {
    /** The HTTP status, when a server answered with an error. */
    public readonly status: number | undefined;

    public constructor(reason: string, status?: number) {
        super(reason);
        this.name = "SourceFailure";
        this.status = status;
    }
}

/** The reason an error gives, in one line, including the cause Node's fetch hides ("fetch failed"). */
export function reasonOf(error: unknown): string {
    if (!(error instanceof Error))
        return String(error);
    if (error.name === "TimeoutError" || error.name === "AbortError")
        return error.message;
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : "";
    return `${error.message}${detail}`;
}
