import path from "node:path";
import { ReerError } from "./ReerError.js";

export const STORIES_260K_SOURCE = "https://huggingface.co/ggml-org/models/resolve/main/tinyllamas/stories260K.gguf";

export class ModelNotFoundError extends ReerError {
    /** `catalogueNames`: the names --model also takes, offered when the spec looked like a name. */
    public constructor(modelPath: string, catalogueNames: readonly string[] = []) {
        super("MODEL_NOT_FOUND", `Model file not found: ${modelPath}`,
            "Pass a GGUF path, an hf:<user>/<repo>/<file>.gguf URI or an https:// URL to --model" +
            (catalogueNames.length === 0 ? ". " : `, or a catalogue name (${catalogueNames.join(", ")}; \`reer models\` lists them). `) +
            "A tiny test model is ggml-org's tinyllamas/stories260K.gguf (" + STORIES_260K_SOURCE + "); " +
            "real runs want an instruct model such as Qwen2.5-0.5B-Instruct-GGUF (hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q8_0.gguf). " +
            "See models/README.md.");
    }
}

/** A folder given where a model file belongs: names the .gguf files it holds, so the fix is one copy away. */
export class ModelIsFolderError extends ReerError {
    public constructor(folder: string, ggufFiles: readonly string[]) {
        const shown = ggufFiles.slice(0, 10);
        const listed = `${shown.join(", ")}${ggufFiles.length > shown.length ? `, ... (${ggufFiles.length} in all)` : ""}`;
        super("MODEL_IS_FOLDER",
            `${folder} is a folder, not a model file; ` + (ggufFiles.length === 0 ? "it holds no .gguf files." : `its .gguf files: ${listed}.`),
            ggufFiles.length === 0
                ? "Pass the path of a GGUF file to --model, or a catalogue name (`reer models` lists them)."
                : `Pass one of them, e.g. --model ${path.join(folder, shown[0]!)}`);
    }
}

export class NotGgufError extends ReerError {
    public constructor(modelPath: string, detail: string) {
        super("NOT_GGUF", `${modelPath} is not a GGUF model file (${detail}).`,
            "reer loads llama.cpp GGUF files only. Convert Hugging Face weights with llama.cpp's convert_hf_to_gguf.py, or download a .gguf build of the model.");
    }
}

/** A GGUF file cut short: an interrupted download or copy, most often. */
export class ModelTruncatedError extends ReerError {
    public constructor(modelPath: string, fileSize: number, detail: string) {
        super("MODEL_TRUNCATED", `${modelPath} is truncated: ${detail}.`,
            `The file is incomplete (${fileSize} bytes), as an interrupted download or copy leaves it. ` +
            "Download or copy it again, and compare its size and sha256 with the source (--model-sha256 checks the sha256).");
    }
}

/** A GGUF file whose header contradicts itself or the file, or holds what llama.cpp refuses or aborts on. */
export class CorruptModelError extends ReerError {
    public constructor(modelPath: string, detail: string) {
        super("MODEL_CORRUPT", `${modelPath} is a damaged GGUF file: ${detail}.`,
            "llama.cpp cannot load it. Download the model again, or convert it again with a current llama.cpp (convert_hf_to_gguf.py).");
    }
}

/** llama.cpp refused a file of an architecture it knows; its own reason is in the message. */
export class ModelLoadError extends ReerError {
    public constructor(modelPath: string, architecture: string, detail: string) {
        super("MODEL_LOAD_FAILED", `llama.cpp could not load ${modelPath} (architecture "${architecture}"): ${detail}`,
            "The file may be damaged, or made by a converter newer than this llama.cpp: check it with `reer inspect`, " +
            "download it again (--model-sha256 checks it), or update node-llama-cpp.");
    }
}

export class UnsupportedArchitectureError extends ReerError {
    public constructor(modelPath: string, architecture: string, detail: string) {
        super("UNSUPPORTED_ARCHITECTURE", `llama.cpp cannot run ${modelPath} (architecture "${architecture}"): ${detail}`,
            "Use a model whose architecture this llama.cpp build supports (llama, qwen2, qwen3, mistral, gemma, phi3, ...), or update node-llama-cpp.");
    }
}

export class ModelDownloadError extends ReerError {
    public constructor(source: string, detail: string) {
        super("MODEL_DOWNLOAD_FAILED", `Could not download ${source}: ${detail}`,
            "Without network access, download the file elsewhere, copy it into models/ and pass its path to --model.");
    }
}
