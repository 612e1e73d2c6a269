import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ReerError } from "../errors/ReerError.js";
import type { Language } from "../text/cjk.js";

/** One folder of prompts per language; the CJK rule of text/cjk.ts picks it. */
export type PromptLanguage = Language;

/** The prompts shipped with the package: <package root>/prompts/<language>/<name>.txt */
export const builtinPromptsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "prompts");

const openersSchema = z.array(z.object({ text: z.string(), weight: z.number().positive() })).min(1);

/** The openers that start a thinking trajectory, with their draw weights. */
export type Opener = z.infer<typeof openersSchema>[number];

/**
 * Plain-text prompt templates with `{{name}}` placeholders, one folder per language.
 * Users can point reer at their own folder; the id and content hash of every template
 * used end up in the output so results stay traceable.
 */
export class PromptSet {
    private readonly cache = new Map<string, string>();
    private readonly openerLists = new Map<PromptLanguage, Opener[]>();

    public constructor(public readonly dir: string = builtinPromptsDir) {}

    public raw(language: PromptLanguage, name: string): string {
        const file = path.join(this.dir, language, `${name}.txt`);
        let text = this.cache.get(file);
        if (text == null) {
            if (!existsSync(file))
                throw new ReerError("PROMPT_MISSING", `Prompt template ${file} does not exist.`,
                    `A prompts folder needs ${language}/${name}.txt; copy the built-in ones from ${builtinPromptsDir} and edit them.`);
            // Trailing newlines are an artefact of text editors, not part of the prompt.
            text = readFileSync(file, "utf8").replace(/\s+$/u, "");
            this.cache.set(file, text);
        }
        return text;
    }

    /** `<language>/openers.json`: a JSON array of {"text", "weight"}, read once. */
    public openers(language: PromptLanguage): Opener[] {
        let openers = this.openerLists.get(language);
        if (openers == null) {
            const file = path.join(this.dir, language, "openers.json");
            try {
                openers = openersSchema.parse(JSON.parse(readFileSync(file, "utf8")));
            } catch (error) {
                throw new ReerError("PROMPT_MISSING", `Cannot read openers from ${file}: ${error instanceof Error ? error.message : String(error)}`,
                    'It must be a JSON array of {"text": string, "weight": number}.');
            }
            this.openerLists.set(language, openers);
        }
        return openers;
    }

    /** Fills `{{name}}` placeholders; every placeholder must be given a value. */
    public render(language: PromptLanguage, name: string, values: Record<string, string>): string {
        const template = this.raw(language, name);
        const rendered = template.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/gu, (match, key: string) => {
            const value = values[key];
            if (value == null)
                throw new ReerError("PROMPT_PLACEHOLDER", `Prompt ${language}/${name}.txt uses {{${key}}}, which reer does not provide here.`,
                    `Available: ${Object.keys(values).map((k) => `{{${k}}}`).join(", ")}.`);
            return value;
        });
        return rendered;
    }

    /** "<language>/<name>@<first 12 hex of sha256>", recorded with every result. */
    public templateId(language: PromptLanguage, name: string): string {
        const hash = createHash("sha256").update(this.raw(language, name)).digest("hex").slice(0, 12);
        return `${language}/${name}@${hash}`;
    }

    /** sha256 over every template file of the folder: changes whenever any prompt does. */
    public fingerprint(): string {
        const hash = createHash("sha256");
        for (const language of readdirSync(this.dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()) {
            for (const name of readdirSync(path.join(this.dir, language)).sort()) {
                hash.update(`${language}/${name}\u0000`);
                hash.update(readFileSync(path.join(this.dir, language, name)));
            }
        }
        return hash.digest("hex");
    }
}
