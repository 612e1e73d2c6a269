import { readFileSync } from "node:fs";
import { readGgufStructure } from "../../src/model/gguf/readGgufStructure.js";
import { GgufWriter, type GgufLayout, type GgufMalformations, type GgufValue } from "../../scripts/gguf/GgufWriter.js";
import { tensorByteSize } from "../../scripts/gguf/tensorEncoding.js";

/**
 * Writes a GGUF file again through reer's writer: every metadata entry with its type and in
 * its order, every tensor's bytes as they are. `metadata` adds entries (or replaces them in
 * place), `malformed` damages the copy. Returns where the copy's parts lie.
 */
export async function copyGguf(source: string, target: string,
    { metadata = {}, malformed }: { metadata?: Record<string, GgufValue>; malformed?: GgufMalformations } = {}): Promise<GgufLayout> {
    const structure = await readGgufStructure(source, { values: true });
    const writer = new GgufWriter(malformed);
    for (const { key, value } of structure.entries)
        writer.set(key, value!);
    for (const [key, value] of Object.entries(metadata))
        writer.set(key, value);
    const bytes = readFileSync(source);
    for (const { name, dimensions, type, offset } of structure.tensors) {
        const dims = dimensions.map(Number);
        const start = structure.dataOffset + Number(offset);
        const data = bytes.subarray(start, start + tensorByteSize(type, dims));
        writer.addTensor({ name, dims, type, data: () => [data] });
    }
    writer.write(target);
    return writer.layout();
}
