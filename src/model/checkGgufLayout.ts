import { open, type FileHandle } from "node:fs/promises";
import { CorruptModelError, ModelTruncatedError } from "../errors/modelErrors.js";

/** Bytes per block and elements per block of a ggml tensor type; undefined for a type this llama.cpp does not know. */
export type GgmlTypeTraits = (type: number) => { blockSize: number; typeSize: number } | undefined;

/** What the walk over a GGUF file found (sizes in bytes). */
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

const GGUF_DEFAULT_ALIGNMENT = 32;
/** llama.cpp's GGML_MAX_NAME: tensor names are shorter. */
const MAX_TENSOR_NAME = 64;
const MAX_DIMS = 4;
const TYPE_STRING = 8;
const TYPE_ARRAY = 9;
const TYPE_UINT32 = 4;
/** Byte sizes of GGUF's fixed-size value types (uint8 .. float64, as the GGUF spec numbers them). */
const fixedValueSizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
/** Least bytes a metadata pair takes: key length, a one-byte key, value type, a one-byte value. */
const MIN_METADATA_BYTES = 8 + 1 + 4 + 1;
/** Least bytes a tensor description takes: name length, dimension count, type, offset. */
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

/** More header than any real GGUF has (tokenizer arrays of big vocabularies take tens of MiB). */
const PLAUSIBLE_HEADER_BYTES = 1n << 30n;

const TOKENS_KEY = "tokenizer.ggml.tokens";
const PER_TOKEN_KEYS = ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"];

class EndOfFile extends Error {}

/** Sequential reads through a file that stop at its real end instead of reading zeros past it. */
class FileCursor {
    public position = 0;
    private buffer = Buffer.alloc(0);
    private bufferStart = 0;

    public constructor(private readonly handle: FileHandle, public readonly size: number) {}

    public get remaining(): number {
        return this.size - this.position;
    }

    private async ensure(length: number): Promise<number> {
        if (length > this.remaining)
            throw new EndOfFile();
        const offset = this.position - this.bufferStart;
        if (offset >= 0 && offset + length <= this.buffer.length)
            return offset;
        const chunk = Math.min(this.remaining, Math.max(length, 1 << 20));
        const buffer = Buffer.alloc(chunk);
        const { bytesRead } = await this.handle.read(buffer, 0, chunk, this.position);
        if (bytesRead < length)
            throw new EndOfFile();
        this.buffer = buffer.subarray(0, bytesRead);
        this.bufferStart = this.position;
        return 0;
    }

    public async u32(): Promise<number> {
        const offset = await this.ensure(4);
        this.position += 4;
        return this.buffer.readUInt32LE(offset);
    }

    public async u64(): Promise<bigint> {
        const offset = await this.ensure(8);
        this.position += 8;
        return this.buffer.readBigUInt64LE(offset);
    }

    public async bytes(length: number): Promise<Buffer> {
        const offset = await this.ensure(length);
        this.position += length;
        return this.buffer.subarray(offset, offset + length);
    }

    public skip(length: number): void {
        if (length > this.remaining)
            throw new EndOfFile();
        this.position += length;
    }

    /** A string's byte length, checked against the bytes left. */
    public async stringLength(): Promise<number> {
        const length = await this.u64();
        if (length > BigInt(this.remaining))
            throw new EndOfFile();
        return Number(length);
    }

    public async string(): Promise<string> {
        return (await this.bytes(await this.stringLength())).toString("utf8");
    }

    /** The buffer offset of the next `length` bytes when they are already read. */
    private inBuffer(length: number): number | undefined {
        const offset = this.position - this.bufferStart;
        return length <= this.remaining && offset >= 0 && offset + length <= this.buffer.length ? offset : undefined;
    }

    /**
     * Reads (`keep`) or skips `count` strings, awaiting only to refill the buffer: a vocabulary
     * of 150k tokens would otherwise cost hundreds of thousands of awaits.
     */
    public async strings(count: number, keep: boolean): Promise<string[]> {
        const texts: string[] = [];
        for (let index = 0; index < count; index++) {
            const lengthAt = this.inBuffer(8) ?? await this.ensure(8);
            const length = this.buffer.readBigUInt64LE(lengthAt);
            if (length > BigInt(this.remaining - 8))
                throw new EndOfFile();
            this.position += 8;
            const bytes = Number(length);
            if (keep) {
                const textAt = this.inBuffer(bytes) ?? await this.ensure(bytes);
                texts.push(this.buffer.toString("utf8", textAt, textAt + bytes));
            }
            this.position += bytes;
        }
        return texts;
    }
}

/**
 * Walks a GGUF file's header, metadata and tensor descriptions with every length checked
 * against the real file size, and refuses what llama.cpp would refuse, misread, or abort
 * the process on: a file cut short (the header, or tensor data past its end), counts and
 * array lengths larger than the file can hold, tensor descriptions llama.cpp rejects, and
 * a vocabulary with duplicate token texts (llama.cpp asserts on those). `typeTraits` gives
 * the tensor sizes; without it the tensor data is not measured.
 *
 * Throws ModelTruncatedError or CorruptModelError; returns the layout when all is well.
 * The magic and version are checked by the caller.
 */
export async function checkGgufLayout(modelPath: string, typeTraits?: GgmlTypeTraits): Promise<GgufLayout> {
    const handle = await open(modelPath, "r");
    try {
        const { size } = await handle.stat();
        const cursor = new FileCursor(handle, size);
        let where = "the header";
        const truncated = (detail: string) => new ModelTruncatedError(modelPath, size, detail);
        const corrupt = (detail: string) => new CorruptModelError(modelPath, detail);
        /**
         * A count that needs more bytes than the rest of the file holds: a damaged header when
         * no file of this size, nor any real model header (under 1 GiB), could hold it;
         * otherwise, far more often, a file cut short.
         */
        const checkRoom = (needed: bigint, declared: string): void => {
            if (needed > BigInt(size) && needed > PLAUSIBLE_HEADER_BYTES)
                throw corrupt(`${declared}, more than the whole ${size}-byte file can hold`);
            if (needed > BigInt(cursor.remaining))
                throw truncated(`${declared}, but the file ends ${cursor.remaining} bytes later, at byte ${size}`);
        };
        try {
            cursor.skip(8); // magic and version
            const tensorCount = await cursor.u64();
            const metadataCount = await cursor.u64();
            checkRoom(metadataCount * BigInt(MIN_METADATA_BYTES), `its header declares ${metadataCount} metadata entries`);
            checkRoom(tensorCount * BigInt(MIN_TENSOR_INFO_BYTES), `its header declares ${tensorCount} tensors`);

            const keys = new Set<string>();
            const arrayLengths = new Map<string, number>();
            let alignment = GGUF_DEFAULT_ALIGNMENT;
            let tokens: string[] | undefined;
            for (let index = 0; index < Number(metadataCount); index++) {
                where = `metadata entry ${index + 1} of ${metadataCount}`;
                const key = await cursor.string();
                where = `metadata entry ${JSON.stringify(key)}`;
                if (key === "")
                    throw corrupt(`metadata entry ${index + 1} has an empty key`);
                if (keys.has(key))
                    throw corrupt(`the metadata key ${JSON.stringify(key)} occurs twice`);
                keys.add(key);
                const type = await cursor.u32();
                if (type === TYPE_ARRAY) {
                    const itemType = await cursor.u32();
                    const length = await cursor.u64();
                    const itemSize = itemType === TYPE_STRING ? 8 : fixedValueSizes[itemType];
                    if (itemSize == null)
                        throw corrupt(`the metadata array ${JSON.stringify(key)} has items of type ${itemType}, which GGUF does not define for arrays`);
                    checkRoom(length * BigInt(itemSize), `the metadata array ${JSON.stringify(key)} declares ${length} items`);
                    arrayLengths.set(key, Number(length));
                    if (itemType !== TYPE_STRING) {
                        cursor.skip(Number(length) * itemSize);
                    } else {
                        const texts = await cursor.strings(Number(length), key === TOKENS_KEY);
                        if (key === TOKENS_KEY)
                            tokens = texts;
                    }
                } else if (type === TYPE_STRING) {
                    cursor.skip(await cursor.stringLength());
                } else {
                    const valueSize = fixedValueSizes[type];
                    if (valueSize == null)
                        throw corrupt(`the metadata entry ${JSON.stringify(key)} has value type ${type}, which GGUF does not define`);
                    if (key === "general.alignment" && type !== TYPE_UINT32)
                        throw corrupt(`general.alignment has value type ${type}; llama.cpp reads it as a uint32 (type ${TYPE_UINT32})`);
                    if (key === "general.alignment")
                        alignment = await cursor.u32();
                    else
                        cursor.skip(valueSize);
                }
            }
            if (alignment === 0 || (alignment & (alignment - 1)) !== 0)
                throw corrupt(`general.alignment is ${alignment}, not a power of 2`);

            if (tokens != null)
                checkVocabulary(tokens, arrayLengths, corrupt);

            checkRoom(tensorCount * BigInt(MIN_TENSOR_INFO_BYTES), `its header declares ${tensorCount} tensors`);
            const tensors: { name: string; bytes: bigint | undefined; offset: bigint }[] = [];
            const names = new Set<string>();
            for (let index = 0; index < Number(tensorCount); index++) {
                where = `the description of tensor ${index + 1} of ${tensorCount}`;
                const name = await cursor.string();
                if (Buffer.byteLength(name) >= MAX_TENSOR_NAME)
                    throw corrupt(`tensor ${index + 1} has a ${Buffer.byteLength(name)}-byte name; llama.cpp allows at most ${MAX_TENSOR_NAME - 1}`);
                if (names.has(name))
                    throw corrupt(`the tensor name ${JSON.stringify(name)} occurs twice`);
                names.add(name);
                where = `the description of tensor ${JSON.stringify(name)}`;
                const dimensionCount = await cursor.u32();
                if (dimensionCount > MAX_DIMS)
                    throw corrupt(`tensor ${JSON.stringify(name)} has ${dimensionCount} dimensions; llama.cpp allows at most ${MAX_DIMS}`);
                const dimensions: bigint[] = [];
                for (let d = 0; d < dimensionCount; d++) {
                    const extent = await cursor.u64();
                    if (extent >= 1n << 63n)
                        throw corrupt(`tensor ${JSON.stringify(name)} has a negative extent in dimension ${d}`);
                    dimensions.push(extent);
                }
                const type = await cursor.u32();
                const offset = await cursor.u64();
                let bytes: bigint | undefined;
                if (typeTraits != null) {
                    const traits = typeTraits(type);
                    if (traits == null)
                        throw corrupt(`tensor ${JSON.stringify(name)} has type ${type}, which this llama.cpp does not know`);
                    const rowLength = dimensions[0] ?? 1n;
                    if (rowLength % BigInt(traits.blockSize) !== 0n)
                        throw corrupt(`tensor ${JSON.stringify(name)} has rows of ${rowLength} elements, not a multiple of its type's block size ${traits.blockSize}`);
                    bytes = dimensions.slice(1).reduce((total, extent) => total * extent, rowLength / BigInt(traits.blockSize) * BigInt(traits.typeSize));
                }
                tensors.push({ name, bytes, offset });
            }

            const infoEnd = cursor.position;
            const dataOffset = Math.ceil(infoEnd / alignment) * alignment;
            if (tensors.length > 0 && dataOffset > size)
                throw truncated(`it ends at byte ${size}, before its tensor data begins (at byte ${dataOffset})`);
            let dataEnd: number | undefined;
            if (typeTraits != null) {
                // llama.cpp expects each tensor's data right after the previous one's, padded to the alignment.
                let expected = 0n;
                let end = 0n;
                for (const { name, bytes, offset } of tensors) {
                    const start = BigInt(dataOffset) + offset;
                    if (offset !== expected)
                        throw corrupt(`tensor ${JSON.stringify(name)} says its data starts at byte ${start}` +
                            (start > BigInt(size) ? `, past the end of the ${size}-byte file,` : "") +
                            ` but it follows the previous tensor at byte ${BigInt(dataOffset) + expected}`);
                    end = start + bytes!;
                    expected += (bytes! + BigInt(alignment) - 1n) / BigInt(alignment) * BigInt(alignment);
                }
                if (end > BigInt(size))
                    throw truncated(`its ${tensors.length} tensors need ${end} bytes, but the file has ${size} (${end - BigInt(size)} bytes missing)`);
                dataEnd = Number(end);
            } else {
                for (const { name, offset } of tensors) {
                    if (BigInt(dataOffset) + offset > BigInt(size))
                        throw truncated(`tensor ${JSON.stringify(name)} starts at byte ${BigInt(dataOffset) + offset}, past the end of the ${size}-byte file`);
                }
            }
            return {
                fileSize: size,
                tensorCount: Number(tensorCount),
                metadataCount: Number(metadataCount),
                alignment,
                dataOffset,
                dataEnd,
                vocabularySize: tokens?.length
            };
        } catch (error) {
            if (error instanceof EndOfFile)
                throw truncated(`it ends at byte ${size}, in ${where}`);
            throw error;
        }
    } finally {
        await handle.close();
    }
}

/**
 * llama.cpp maps every token text to its id and asserts that no two ids share a text (an
 * empty text stands for "[EMPTY_<id>]"); the per-token arrays must cover every token.
 */
function checkVocabulary(tokens: readonly string[], arrayLengths: ReadonlyMap<string, number>, corrupt: (detail: string) => Error): void {
    const firstId = new Map<string, number>();
    const duplicates: string[] = [];
    tokens.forEach((token, id) => {
        const text = token === "" ? `[EMPTY_${id}]` : token;
        const earlier = firstId.get(text);
        if (earlier == null)
            firstId.set(text, id);
        else
            duplicates.push(`${JSON.stringify(text)} (ids ${earlier} and ${id})`);
    });
    if (duplicates.length > 0)
        throw corrupt(`its vocabulary (${TOKENS_KEY}) holds ${duplicates.length} duplicate token text(s), which llama.cpp cannot load: ` +
            duplicates.slice(0, 3).join(", ") + (duplicates.length > 3 ? ", ..." : ""));
    for (const key of PER_TOKEN_KEYS) {
        const length = arrayLengths.get(key);
        if (length != null && length < tokens.length)
            throw corrupt(`${key} has ${length} entries for ${tokens.length} tokens`);
    }
}
