import type { GgufFileInfo } from "node-llama-cpp";
import { NotGgufError } from "../errors/modelErrors.js";
import { checkGgufLayout, type GgmlTypeTraits } from "./checkGgufLayout.js";

/**
 * Reads and checks a GGUF header before llama.cpp touches the file, so a wrong file
 * yields a specific error instead of a crash or a generic load failure: not GGUF at all
 * (NotGgufError), cut short (ModelTruncatedError), or inconsistent in a way llama.cpp
 * would refuse or abort on (CorruptModelError, see checkGgufLayout). `typeTraits` (from
 * the loaded llama.cpp) lets the check measure the tensor data against the file size.
 */
export async function readModelHeader(modelPath: string, options: { typeTraits?: GgmlTypeTraits } = {}): Promise<GgufFileInfo> {
    const { info } = await checkGgufLayout(modelPath, options.typeTraits);
    if (info.metadata?.general?.architecture == null)
        throw new NotGgufError(modelPath, "general.architecture is missing");
    // Whether llama.cpp can run the architecture is decided by loading it (LoadedModel maps that failure).
    return info;
}
