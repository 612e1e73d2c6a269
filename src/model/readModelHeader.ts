import { open } from "node:fs/promises";
import { readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { NotGgufError } from "../errors/modelErrors.js";
import { checkGgufLayout, type GgmlTypeTraits } from "./checkGgufLayout.js";

const GGUF_MAGIC = "GGUF";

/**
 * Reads and checks a GGUF header before llama.cpp touches the file, so a wrong file
 * yields a specific error instead of a crash or a generic load failure: not GGUF at all
 * (NotGgufError), cut short (ModelTruncatedError), or inconsistent in a way llama.cpp
 * would refuse or abort on (CorruptModelError, see checkGgufLayout). `typeTraits` (from
 * the loaded llama.cpp) lets the check measure the tensor data against the file size.
 */
export async function readModelHeader(modelPath: string, options: { typeTraits?: GgmlTypeTraits } = {}): Promise<GgufFileInfo> {
    const handle = await open(modelPath, "r");
    try {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(8), 0, 8, 0);
        if (bytesRead < 8)
            throw new NotGgufError(modelPath, `only ${bytesRead} bytes long`);
        const magic = buffer.subarray(0, 4).toString("latin1");
        if (magic !== GGUF_MAGIC)
            throw new NotGgufError(modelPath, `starts with ${JSON.stringify(magic)} instead of "GGUF"`);
        const version = buffer.readUInt32LE(4);
        if (version < 2 || version > 3)
            throw new NotGgufError(modelPath, `GGUF version ${version} is not supported (2 or 3 expected)`);
    } finally {
        await handle.close();
    }

    // node-llama-cpp's reader reads zeros past the end of a file and trusts every length, so walk it with checks first.
    await checkGgufLayout(modelPath, options.typeTraits);

    let info: GgufFileInfo;
    try {
        info = await readGgufFileInfo(modelPath, { readTensorInfo: true });
    } catch (error) {
        throw new NotGgufError(modelPath, `unreadable header: ${error instanceof Error ? error.message : String(error)}`);
    }

    const architecture = info.metadata?.general?.architecture;
    if (architecture == null)
        throw new NotGgufError(modelPath, "general.architecture is missing");
    // Whether llama.cpp can run the architecture is decided by loading it (LoadedModel maps that failure).
    return info;
}
