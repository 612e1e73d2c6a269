import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { ModelDownloadError, ModelNotFoundError } from "../errors/modelErrors.js";
import { ReerError } from "../errors/ReerError.js";

export type ModelLocation =
    | { kind: "path"; path: string }
    | { kind: "remote"; uri: string };

export const DEFAULT_MODEL_ENV = "REER_MODEL";

/** Remote specs are `hf:user/repo/file.gguf` (or `hf:user/repo:quant`) and http(s) URLs; everything else is a path. */
export function parseModelSpec(spec: string): ModelLocation {
    if (/^hf:/i.test(spec) || /^huggingface:/i.test(spec) || /^https?:\/\//i.test(spec))
        return { kind: "remote", uri: spec };
    return { kind: "path", path: path.resolve(spec) };
}

export type ResolveModelOptions = {
    /** Where downloads go; defaults to ./models. */
    modelsDir?: string;
    /** Expected sha256 of the file; checked after a download and for local files when given. */
    sha256?: string;
    /** Show a download progress bar on stderr. */
    progress?: boolean;
};

/**
 * Turns a model spec into a local file path, downloading remote models into
 * `modelsDir` when the network allows. A missing spec falls back to $REER_MODEL.
 */
export async function resolveModelPath(spec: string | undefined, options: ResolveModelOptions = {}): Promise<string> {
    const resolvedSpec = spec ?? process.env[DEFAULT_MODEL_ENV];
    if (resolvedSpec == null || resolvedSpec === "")
        throw new ReerError("NO_MODEL", "No model given.",
            `Pass --model <path|hf:user/repo/file.gguf|url>, or set ${DEFAULT_MODEL_ENV}. See models/README.md for where to get one.`);

    const location = parseModelSpec(resolvedSpec);
    let filePath: string;
    if (location.kind === "path") {
        if (!existsSync(location.path))
            throw new ModelNotFoundError(location.path);
        filePath = location.path;
    } else {
        try {
            filePath = await resolveModelFile(location.uri, {
                directory: path.resolve(options.modelsDir ?? "models"),
                cli: options.progress ?? process.stderr.isTTY,
                verify: false
            });
        } catch (error) {
            throw new ModelDownloadError(location.uri, error instanceof Error ? error.message : String(error));
        }
    }

    if (options.sha256 != null) {
        const actual = await sha256OfFile(filePath);
        if (actual !== options.sha256.toLowerCase())
            throw new ReerError("MODEL_CHECKSUM_MISMATCH", `${filePath} has sha256 ${actual}, expected ${options.sha256}.`,
                "The file is corrupt or a different build; delete it and download it again.");
    }
    return filePath;
}

export async function sha256OfFile(filePath: string, limitBytes?: number): Promise<string> {
    const hash = createHash("sha256");
    const stream = createReadStream(filePath, limitBytes == null ? {} : { start: 0, end: limitBytes - 1 });
    for await (const chunk of stream)
        hash.update(chunk as Buffer);
    return hash.digest("hex");
}
