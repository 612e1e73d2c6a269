import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CatalogueInvalidError, UnknownModelNameError } from "../../errors/catalogueErrors.js";
import { catalogueSchema, type CatalogueEntry } from "./catalogueSchema.js";

export const CATALOGUE_ENV = "REER_CATALOGUE";

/** The model reer uses when no --model, --generator, --scorer or $REER_MODEL names one. */
export const DEFAULT_MODEL_NAME = "smollm2-135m-instruct";

// Two levels below the package root both in src/ (tsx) and in dist/ (the built CLI).
const packagedCatalogue = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "models", "catalogue.json");

/** $REER_CATALOGUE, else the catalogue that ships with reer. */
export function catalogueFile(): string {
    const override = process.env[CATALOGUE_ENV];
    return override != null && override !== "" ? path.resolve(override) : packagedCatalogue;
}

/** The models reer knows by name: what they are, their sha256, and where to get them. */
export class ModelCatalogue {
    private static readonly loaded = new Map<string, ModelCatalogue>();

    private constructor(public readonly file: string, public readonly entries: readonly CatalogueEntry[]) {}

    /** Reads and validates `file` (default catalogueFile()); read once per process. */
    public static load(file: string = catalogueFile()): ModelCatalogue {
        const cached = ModelCatalogue.loaded.get(file);
        if (cached != null)
            return cached;
        let json: unknown;
        try {
            json = JSON.parse(readFileSync(file, "utf8"));
        } catch (error) {
            throw new CatalogueInvalidError(file, error instanceof Error ? error.message : String(error));
        }
        const parsed = catalogueSchema.safeParse(json);
        if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw new CatalogueInvalidError(file, `${issue.path.join(".") || "(top level)"}: ${issue.message}`);
        }
        const catalogue = new ModelCatalogue(file, parsed.data.models);
        ModelCatalogue.loaded.set(file, catalogue);
        return catalogue;
    }

    public get names(): string[] {
        return this.entries.map((entry) => entry.name);
    }

    public find(name: string): CatalogueEntry | undefined {
        return this.entries.find((entry) => entry.name === name);
    }

    /** The entry named `name`; an unknown name is a usage error that lists the known ones. */
    public get(name: string): CatalogueEntry {
        const entry = this.find(name);
        if (entry == null)
            throw new UnknownModelNameError(name, this.names);
        return entry;
    }
}

/**
 * Whether a --model value should be looked up in the catalogue: a bare name (no folder, no
 * .gguf, not a URI). `./name` always reads as a path.
 */
export function looksLikeCatalogueName(spec: string): boolean {
    return /^[a-z0-9][a-z0-9.-]*$/u.test(spec) && !spec.endsWith(".gguf");
}
