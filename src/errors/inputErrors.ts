import { ReerError } from "./ReerError.js";

/**
 * What to do about a text that does not fit a context: raising --context-size helps only
 * while the context is below the model's training context, so the advice says so only then.
 */
export function contextOverflowHint(contextSize: number, modelMaximum: number | undefined): string {
    if (modelMaximum == null)
        return "Shorten the text, raise --context-size (up to the model's training context), or use a model with a longer context.";
    if (contextSize >= modelMaximum)
        return `Shorten the text, or use a model with a longer context: ${modelMaximum} tokens is this model's training context, the most it can hold.`;
    return `Shorten the text, or raise --context-size (up to ${modelMaximum}, the model's training context).`;
}

export class ContextOverflowError extends ReerError {
    public readonly tokensNeeded: number;
    public readonly contextSize: number;

    /** `limits.modelMaximum`: the model's training context, when known, so the advice fits. */
    public constructor(what: string, tokensNeeded: number, contextSize: number, limits: { modelMaximum?: number } = {}) {
        super("CONTEXT_OVERFLOW", `${what} needs ${tokensNeeded} tokens but the context holds ${contextSize}.`,
            contextOverflowHint(contextSize, limits.modelMaximum));
        this.tokensNeeded = tokensNeeded;
        this.contextSize = contextSize;
    }
}

export class UnencodableTextError extends ReerError {
    public readonly characters: string[];

    public constructor(what: string, characters: string[], modelName: string) {
        const shown = characters.slice(0, 12).map((char) => `${JSON.stringify(char)} (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`);
        super("UNENCODABLE_TEXT",
            `${what} contains ${characters.length} character(s) that the vocabulary of ${modelName} cannot encode: ${shown.join(", ")}` +
            (characters.length > shown.length ? ", ..." : "") + ".",
            "This vocabulary has no byte-fallback tokens, and llama.cpp would abort the process on these characters. " +
            "Replace or remove them in the input, or use a model with a byte-level or byte-fallback tokenizer.");
        this.characters = characters;
    }
}

export class InvalidInputError extends ReerError {
    public readonly line: number | undefined;
    public readonly field: string | undefined;

    public constructor(source: string, line: number | undefined, field: string | undefined, detail: string, hint?: string) {
        const where = [line == null ? undefined : `line ${line}`, field == null ? undefined : `field "${field}"`]
            .filter((part) => part != null).join(", ");
        super("INVALID_INPUT", `${source}${where === "" ? "" : ` (${where})`}: ${detail}`,
            hint ?? "Fix the record, or pass --skip-invalid to skip invalid records and count them.");
        this.line = line;
        this.field = field;
    }
}

/**
 * An input with nothing to work on: an empty file, only blank lines, or (with
 * --skip-invalid) only invalid records. One line, before any model is loaded: a run over
 * nothing that "succeeds" hides a wrong path or an empty export.
 */
export class EmptyInputError extends ReerError {
    public constructor(file: string, consequence: string, skippedInvalid = 0) {
        super("EMPTY_INPUT", `${file} holds no ${skippedInvalid > 0 ? `valid records (all ${skippedInvalid} were invalid and skipped)` : "records"}: ${consequence}.`);
    }
}

export class ChatTemplateMissingError extends ReerError {
    public constructor(modelName: string) {
        super("NO_CHAT_TEMPLATE", `${modelName} has no chat template, which the paper scoring preset needs.`,
            "Score with --template none (context text followed by the continuation), or use an instruct model with a chat template.");
    }
}
