import { readGgufFileInfo, type GgufFileInfo, type GgufTensorInfo } from "node-llama-cpp";
import { CorruptModelError, ModelTruncatedError, NotGgufError } from "../errors/modelErrors.js";
import { tensorDataOffsets, tensorNameProblem, TOKENS_KEY, vocabularyProblem } from "./gguf/ggufRules.js";
import { readGgufStructure, type GgufStructure } from "./gguf/readGgufStructure.js";

/** Bytes per block and elements per block of a ggml tensor type; undefined for a type this llama.cpp does not know. */
export type GgmlTypeTraits = (type: number) => { blockSize: number; typeSize: number } | undefined;

/** Where a GGUF file's parts lie (sizes in bytes). */
export type GgufLayout = {
    fileSize: number;
    tensorCount: number;
    metadataCount: number;
    alignment: number;
    /** Where the tensor data starts. */
    dataOffset: number;
    /** Where the last tensor's data ends, when the tensor sizes could be computed. */
    dataEnd: number | undefined;
    vocabularySize: number | undefined;
};

/** A GGUF file that passed the checks: node-llama-cpp's reading of its header, and its layout. */
export type CheckedGguf = { info: GgufFileInfo; layout: GgufLayout };

type MeasuredTensor = { name: string; offset: bigint; bytes: bigint | undefined };
type Problems = { corrupt: (detail: string) => Error; truncated: (detail: string) => Error };

/**
 * Checks a GGUF file before llama.cpp reads it, refusing what llama.cpp would refuse, misread,
 * or abort the process on: a file that is not GGUF, one cut short (the header, or tensor data
 * past its end), counts and array lengths larger than the file can hold, duplicate metadata
 * keys, tensor descriptions llama.cpp rejects, and a vocabulary with duplicate token texts
 * (llama.cpp asserts on those). `typeTraits` gives the tensor sizes; without it the tensor
 * data is not measured.
 *
 * Throws NotGgufError, ModelTruncatedError or CorruptModelError.
 */
export async function checkGgufLayout(modelPath: string, typeTraits?: GgmlTypeTraits): Promise<CheckedGguf> {
    const structure = await readGgufStructure(modelPath);
    const problems: Problems = {
        corrupt: (detail) => new CorruptModelError(modelPath, detail),
        truncated: (detail) => new ModelTruncatedError(modelPath, structure.fileSize, detail)
    };
    // Every length is inside the file now, so node-llama-cpp's reader reads real bytes only.
    const info = await readHeaderInfo(modelPath);
    const vocabularySize = checkVocabulary(info, problems);
    const tensors = measureTensors(info.tensorInfo ?? [], typeTraits, problems);
    const dataEnd = locateTensorData(tensors, structure, typeTraits != null, problems);
    const { fileSize, metadataCount, alignment, dataOffset } = structure;
    return { info, layout: { fileSize, tensorCount: tensors.length, metadataCount, alignment, dataOffset, dataEnd, vocabularySize } };
}

async function readHeaderInfo(modelPath: string): Promise<GgufFileInfo> {
    try {
        return await readGgufFileInfo(modelPath, { readTensorInfo: true });
    } catch (error) {
        throw new NotGgufError(modelPath, `unreadable header: ${error instanceof Error ? error.message : String(error)}`);
    }
}

/** A metadata array by its dotted key (node-llama-cpp nests the metadata by the key's parts). */
function metadataArray(info: GgufFileInfo, key: string): unknown[] | undefined {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], info.metadata);
    return Array.isArray(value) ? value : undefined;
}

/** Refuses a vocabulary llama.cpp cannot load; returns its size when the file has one. */
function checkVocabulary(info: GgufFileInfo, { corrupt }: Problems): number | undefined {
    const tokens = metadataArray(info, TOKENS_KEY);
    if (tokens == null || !tokens.every((token) => typeof token === "string"))
        return undefined;
    const problem = vocabularyProblem(tokens as string[], (key) => metadataArray(info, key)?.length);
    if (problem != null)
        throw corrupt(problem);
    return tokens.length;
}

/** Checks each tensor description and, given the type traits, computes its data size. */
function measureTensors(tensors: readonly GgufTensorInfo[], typeTraits: GgmlTypeTraits | undefined, { corrupt }: Problems): MeasuredTensor[] {
    const names = new Set<string>();
    return tensors.map(({ name, dimensions, ggmlType, offset }, index) => {
        const nameProblem = tensorNameProblem(index, name);
        if (nameProblem != null)
            throw corrupt(nameProblem);
        if (names.has(name))
            throw corrupt(`the tensor name ${JSON.stringify(name)} occurs twice`);
        names.add(name);
        const extents = dimensions.map(BigInt);
        const negative = extents.findIndex((extent) => extent >= 1n << 63n);
        if (negative >= 0)
            throw corrupt(`tensor ${JSON.stringify(name)} has a negative extent in dimension ${negative}`);
        const bytes = typeTraits == null ? undefined : tensorBytes(name, ggmlType, extents, typeTraits, corrupt);
        return { name, offset: BigInt(offset), bytes };
    });
}

function tensorBytes(name: string, type: number, extents: readonly bigint[], typeTraits: GgmlTypeTraits, corrupt: Problems["corrupt"]): bigint {
    const traits = typeTraits(type);
    if (traits == null)
        throw corrupt(`tensor ${JSON.stringify(name)} has type ${type}, which this llama.cpp does not know`);
    const rowLength = extents[0] ?? 1n;
    if (rowLength % BigInt(traits.blockSize) !== 0n)
        throw corrupt(`tensor ${JSON.stringify(name)} has rows of ${rowLength} elements, not a multiple of its type's block size ${traits.blockSize}`);
    return extents.slice(1).reduce((total, extent) => total * extent, rowLength / BigInt(traits.blockSize) * BigInt(traits.typeSize));
}

/** Checks that the tensor data lies where llama.cpp expects it, inside the file; returns where it ends when measured. */
function locateTensorData(tensors: readonly MeasuredTensor[], structure: GgufStructure, measured: boolean, { corrupt, truncated }: Problems): number | undefined {
    const { dataOffset, fileSize: size, alignment } = structure;
    if (tensors.length > 0 && dataOffset > size)
        throw truncated(`it ends at byte ${size}, before its tensor data begins (at byte ${dataOffset})`);
    if (!measured) {
        for (const { name, offset } of tensors)
            if (BigInt(dataOffset) + offset > BigInt(size))
                throw truncated(`tensor ${JSON.stringify(name)} starts at byte ${BigInt(dataOffset) + offset}, past the end of the ${size}-byte file`);
        return undefined;
    }
    const expected = tensorDataOffsets(tensors.map(({ bytes }) => bytes!), alignment);
    let end = 0n;
    tensors.forEach(({ name, bytes, offset }, index) => {
        const start = BigInt(dataOffset) + offset;
        if (offset !== expected[index])
            throw corrupt(`tensor ${JSON.stringify(name)} says its data starts at byte ${start}` +
                (start > BigInt(size) ? `, past the end of the ${size}-byte file,` : "") +
                ` but it follows the previous tensor at byte ${BigInt(dataOffset) + expected[index]!}`);
        end = start + bytes!;
    });
    if (end > BigInt(size))
        throw truncated(`its ${tensors.length} tensors need ${end} bytes, but the file has ${size} (${end - BigInt(size)} bytes missing)`);
    return Number(end);
}
