import path from "node:path";

export const MODELS_DIR_ENV = "REER_MODELS_DIR";

/**
 * Where catalogue models and downloads live: $REER_MODELS_DIR, else `models` relative to
 * the current folder. --models-dir overrides both (commander passes this as its default).
 */
export function defaultModelsDir(): string {
    const fromEnv = process.env[MODELS_DIR_ENV];
    return fromEnv != null && fromEnv !== "" ? fromEnv : "models";
}

/** The models folder as an absolute path: `flag` when given, else defaultModelsDir(). */
export function resolveModelsDir(flag?: string): string {
    return path.resolve(flag ?? defaultModelsDir());
}
