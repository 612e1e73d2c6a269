/**
 * Base of every error reer reports on purpose: `code` is stable for scripts,
 * `hint` tells the user what to do next. Anything else reaching the CLI is a bug.
 */
export class ReerError extends Error {
    public readonly code: string;
    public readonly hint: string | undefined;

    public constructor(code: string, message: string, hint?: string) {
        super(message);
        this.name = "ReerError";
        this.code = code;
        this.hint = hint;
    }

    /** One paragraph for a terminal: the problem, then what to do. */
    public describe(): string {
        return this.hint == null ? this.message : `${this.message}\n  ${this.hint}`;
    }
}
