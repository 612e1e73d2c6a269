/**
 * reer's own GGUF reader, for what node-llama-cpp's readGgufFileInfo cannot give: that one
 * reads zeros past the end of a file and trusts every count (an array said to hold 2^40
 * items keeps it busy for hours), so it is safe only on a file known to be whole; and it
 * keeps neither the metadata's order nor each value's GGUF type, which a copy needs.
 * Everything else reads GGUF through readGgufFileInfo.
 */
import { open } from "node:fs/promises";
import { CorruptModelError, ModelTruncatedError, NotGgufError } from "../../errors/modelErrors.js";
import { EndOfFile, GgufFileCursor } from "./GgufFileCursor.js";
import {
    ALIGNMENT_KEY, alignUp, fixedValueCodecs, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufValueType, STRING_LENGTH_BYTES,
    type GgufScalar, type GgufScalarType, type GgufValue
} from "./ggufFormat.js";
import { alignmentProblem, dimensionCountProblem, metadataKeysProblem } from "./ggufRules.js";

export type GgufEntry = {
    key: string;
    type: GgufValueType;
    /** The value, when read with `values` (general.alignment's always). */
    value?: GgufValue;
};

export type GgufTensorDescription = {
    name: string;
    /** ne0 (the row length) first. */
    dimensions: bigint[];
    type: number;
    /** Where the data starts, from the start of the tensor data. */
    offset: bigint;
};

export type GgufStructure = {
    fileSize: number;
    version: number;
    metadataCount: number;
    entries: GgufEntry[];
    alignment: number;
    tensors: GgufTensorDescription[];
    /** Where the tensor data starts: after the tensor descriptions, at the alignment. */
    dataOffset: number;
};

/** Least bytes a metadata pair takes: key length, a one-byte key, value type, a one-byte value. */
const MIN_METADATA_BYTES = 8 + 1 + 4 + 1;
/** Least bytes a tensor description takes: name length, dimension count, type, offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
/** More header than any real GGUF has (tokenizer arrays of big vocabularies take tens of MiB). */
const PLAUSIBLE_HEADER_BYTES = 1n << 30n;

/**
 * Walks a GGUF file's header, metadata and tensor descriptions with every length checked
 * against the real file size; `values` keeps every metadata value with its type.
 * Throws NotGgufError (no GGUF magic or version), ModelTruncatedError (cut short), or
 * CorruptModelError (counts no file could hold, undefined value types, empty or repeated
 * keys, a bad alignment, more dimensions than ggml has).
 */
export async function readGgufStructure(modelPath: string, { values = false } = {}): Promise<GgufStructure> {
    const handle = await open(modelPath, "r");
    try {
        const { size } = await handle.stat();
        return await new HeaderWalk(modelPath, new GgufFileCursor(handle, size), values).read();
    } finally {
        await handle.close();
    }
}

class HeaderWalk {
    /** The part being read, for the message when the file ends in it. */
    private where = "the header";

    public constructor(private readonly modelPath: string, private readonly cursor: GgufFileCursor, private readonly values: boolean) {}

    public async read(): Promise<GgufStructure> {
        const version = await this.readMagicAndVersion();
        try {
            const tensorCount = await this.cursor.u64();
            const metadataCount = await this.cursor.u64();
            this.checkRoom(metadataCount * BigInt(MIN_METADATA_BYTES), `its header declares ${metadataCount} metadata entries`);
            this.checkRoom(tensorCount * BigInt(MIN_TENSOR_INFO_BYTES), `its header declares ${tensorCount} tensors`);
            const entries: GgufEntry[] = [];
            for (let index = 0; index < Number(metadataCount); index++)
                entries.push(await this.readEntry(index, metadataCount));
            const keysProblem = metadataKeysProblem(entries.map(({ key }) => key));
            if (keysProblem != null)
                throw new CorruptModelError(this.modelPath, keysProblem);
            const alignment = this.alignment(entries);
            this.checkRoom(tensorCount * BigInt(MIN_TENSOR_INFO_BYTES), `its header declares ${tensorCount} tensors`);
            const tensors: GgufTensorDescription[] = [];
            for (let index = 0; index < Number(tensorCount); index++)
                tensors.push(await this.readTensorDescription(index, tensorCount));
            const dataOffset = alignUp(this.cursor.position, alignment);
            return { fileSize: this.cursor.size, version, metadataCount: entries.length, entries, alignment, tensors, dataOffset };
        } catch (error) {
            if (error instanceof EndOfFile)
                throw this.truncated(`it ends at byte ${this.cursor.size}, in ${this.where}`);
            throw error;
        }
    }

    private async readMagicAndVersion(): Promise<number> {
        if (this.cursor.size < 8)
            throw new NotGgufError(this.modelPath, `only ${this.cursor.size} bytes long`);
        const head = await this.cursor.bytes(8);
        const magic = head.toString("latin1", 0, 4);
        if (magic !== GGUF_MAGIC)
            throw new NotGgufError(this.modelPath, `starts with ${JSON.stringify(magic)} instead of "GGUF"`);
        const version = head.readUInt32LE(4);
        // Version 1 had 32-bit counts; 2 and 3 share this layout.
        if (version < 2 || version > GGUF_VERSION)
            throw new NotGgufError(this.modelPath, `GGUF version ${version} is not supported (2 or 3 expected)`);
        return version;
    }

    private async readEntry(index: number, count: bigint): Promise<GgufEntry> {
        this.where = `metadata entry ${index + 1} of ${count}`;
        const key = await this.cursor.string();
        this.where = `metadata entry ${JSON.stringify(key)}`;
        const type = await this.cursor.u32();
        if (type === GgufValueType.ARRAY)
            return this.readArray(key);
        this.itemSize(type, () => `the metadata entry ${JSON.stringify(key)} has value type ${type}, which GGUF does not define`);
        const items = await this.readItems(type as GgufScalarType, 1, this.values || key === ALIGNMENT_KEY);
        return { key, type, ...(items != null ? { value: { type: type as GgufScalarType, value: items[0]! } } : {}) };
    }

    private async readArray(key: string): Promise<GgufEntry> {
        const itemType = await this.cursor.u32();
        const length = await this.cursor.u64();
        const itemSize = this.itemSize(itemType, () => `the metadata array ${JSON.stringify(key)} has items of type ${itemType}, which GGUF does not define for arrays`);
        this.checkRoom(length * BigInt(itemSize), `the metadata array ${JSON.stringify(key)} declares ${length} items`);
        const items = await this.readItems(itemType as GgufScalarType, Number(length), this.values);
        return { key, type: GgufValueType.ARRAY, ...(items != null ? { value: { type: GgufValueType.ARRAY, itemType: itemType as GgufScalarType, value: items } } : {}) };
    }

    /** Bytes an item of `type` takes at least (a string: its length field); a type GGUF does not define is refused. */
    private itemSize(type: number, undefinedType: () => string): number {
        const size = type === GgufValueType.STRING ? STRING_LENGTH_BYTES : fixedValueCodecs.get(type)?.size;
        if (size == null)
            throw new CorruptModelError(this.modelPath, undefinedType());
        return size;
    }

    /** Reads (`keep`) or skips `count` items of a type known to be defined. */
    private async readItems(type: GgufScalarType, count: number, keep: boolean): Promise<GgufScalar[] | undefined> {
        if (type === GgufValueType.STRING) {
            const texts = await this.cursor.strings(count, keep);
            return keep ? texts : undefined;
        }
        const codec = fixedValueCodecs.get(type)!;
        if (!keep) {
            this.cursor.skip(count * codec.size);
            return undefined;
        }
        const bytes = await this.cursor.bytes(count * codec.size);
        return Array.from({ length: count }, (_, index) => codec.read(bytes, index * codec.size));
    }

    private alignment(entries: readonly GgufEntry[]): number {
        const entry = entries.find(({ key }) => key === ALIGNMENT_KEY);
        if (entry == null)
            return GGUF_DEFAULT_ALIGNMENT;
        const alignment = Number(entry.value?.value);
        const problem = alignmentProblem(entry.type, alignment);
        if (problem != null)
            throw new CorruptModelError(this.modelPath, problem);
        return alignment;
    }

    private async readTensorDescription(index: number, count: bigint): Promise<GgufTensorDescription> {
        this.where = `the description of tensor ${index + 1} of ${count}`;
        const name = await this.cursor.string();
        this.where = `the description of tensor ${JSON.stringify(name)}`;
        const dimensionCount = await this.cursor.u32();
        const problem = dimensionCountProblem(name, dimensionCount);
        if (problem != null)
            throw new CorruptModelError(this.modelPath, problem);
        const dimensions: bigint[] = [];
        for (let d = 0; d < dimensionCount; d++)
            dimensions.push(await this.cursor.u64());
        const type = await this.cursor.u32();
        const offset = await this.cursor.u64();
        return { name, dimensions, type, offset };
    }

    private truncated(detail: string): ModelTruncatedError {
        return new ModelTruncatedError(this.modelPath, this.cursor.size, detail);
    }

    /**
     * A count that needs more bytes than the rest of the file holds: a damaged header when
     * no file of this size, nor any real model header (under 1 GiB), could hold it;
     * otherwise, far more often, a file cut short.
     */
    private checkRoom(needed: bigint, declared: string): void {
        const size = this.cursor.size;
        if (needed > BigInt(size) && needed > PLAUSIBLE_HEADER_BYTES)
            throw new CorruptModelError(this.modelPath, `${declared}, more than the whole ${size}-byte file can hold`);
        if (needed > BigInt(this.cursor.remaining))
            throw this.truncated(`${declared}, but the file ends ${this.cursor.remaining} bytes later, at byte ${size}`);
    }
}
