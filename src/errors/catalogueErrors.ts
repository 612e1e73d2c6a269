import { ReerError } from "./ReerError.js";

/** models/catalogue.json (or $REER_CATALOGUE) is not valid JSON or does not have the catalogue's shape. */
export class CatalogueInvalidError extends ReerError {
    public constructor(file: string, detail: string) {
        super("CATALOGUE_INVALID", `The model catalogue ${file} is invalid: ${detail}`,
            "Fix the file (models/README.md describes its fields), or unset REER_CATALOGUE to use the catalogue that ships with reer.");
    }
}

/** A name given to `reer pull` that the catalogue does not list. */
export class UnknownModelNameError extends ReerError {
    public constructor(name: string, known: readonly string[]) {
        super("UNKNOWN_MODEL", `${JSON.stringify(name)} is not in the model catalogue.`,
            `The catalogue lists: ${known.join(", ")} (\`reer models\` shows them). Pass a GGUF path, hf: URI or URL to --model for any other model.`);
    }
}

/** Every source of a catalogue model failed or did not answer: one message with every way to get the file. */
export class ModelUnavailableError extends ReerError {
    public constructor(name: string, target: string, reasons: readonly string[], waysToGetIt: readonly string[]) {
        super("MODEL_UNAVAILABLE",
            `Could not get the model ${name}: no source gave it.\n` + reasons.map((reason) => `    ${reason}`).join("\n"),
            `Get ${target} one of these ways, then run the command again:\n` + waysToGetIt.map((way) => `    - ${way}`).join("\n"));
    }
}

/** Offline mode (--offline or REER_OFFLINE=1) and a model that would have to be downloaded. */
export class ModelOfflineError extends ReerError {
    /** `remedy`: how to get it, e.g. "Run `reer pull <name>` while online ...". */
    public constructor(what: string, problem: string, remedy: string) {
        super("MODEL_OFFLINE", `${what} ${problem}, and offline mode (--offline or REER_OFFLINE=1) forbids downloading it.`, remedy);
    }
}
