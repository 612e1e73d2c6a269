// A deliberately small GGUF (v2/v3) reader for the test oracle. It shares no code with
// node-llama-cpp's reader on purpose: if both agreed only because they shared a parser
// bug, the oracle would prove nothing. Layout facts come from the GGUF spec
// (ggml/docs/gguf.md): header, key/value metadata, tensor infos, aligned tensor data.
import { readFileSync } from "node:fs";

/** A decoded metadata value. 64-bit integers stay bigint so nothing is silently rounded. */
export type GgufValue = number | bigint | boolean | string | GgufValue[];

export type GgufTensorInfo = {
    name: string;
    /** ggml order: dims[0] (ne0) varies fastest in memory. */
    dims: number[];
    /** ggml type id (0 = F32). */
    type: number;
    /** Byte offset relative to the start of the tensor data section. */
    offset: number;
};

export type GgufF32Tensor = {
    dims: number[];
    data: Float64Array;
};

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGML_TYPE_F32 = 0;
const DEFAULT_ALIGNMENT = 32;

// GGUF metadata value type ids.
const enum ValueType {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12
}

export class GgufFile {
    readonly version: number;
    readonly metadata: Map<string, GgufValue>;
    readonly tensors: Map<string, GgufTensorInfo>;
    readonly alignment: number;
    /** Absolute file offset where the tensor data section begins. */
    readonly dataOffset: number;

    private readonly buffer: Buffer;
    private position = 0;

    private constructor(buffer: Buffer) {
        this.buffer = buffer;

        const magic = this.readUint32();
        if (magic !== GGUF_MAGIC)
            throw new Error(`Not a GGUF file (magic 0x${magic.toString(16)})`);

        this.version = this.readUint32();
        // v1 used 32-bit counts and lengths; supporting it is not worth the branches here.
        if (this.version < 2 || this.version > 3)
            throw new Error(`Unsupported GGUF version ${this.version}`);

        const tensorCount = this.readCount();
        const kvCount = this.readCount();

        this.metadata = new Map();
        for (let i = 0; i < kvCount; i++) {
            const key = this.readString();
            const type = this.readUint32();
            this.metadata.set(key, this.readValue(type));
        }

        this.tensors = new Map();
        for (let i = 0; i < tensorCount; i++) {
            const name = this.readString();
            const nDims = this.readUint32();
            const dims: number[] = [];
            for (let d = 0; d < nDims; d++)
                dims.push(this.readCount());
            const type = this.readUint32();
            const offset = this.readCount();
            this.tensors.set(name, { name, dims, type, offset });
        }

        const alignmentValue = this.metadata.get("general.alignment");
        this.alignment = alignmentValue === undefined ? DEFAULT_ALIGNMENT : Number(alignmentValue);
        if (!Number.isInteger(this.alignment) || this.alignment <= 0)
            throw new Error(`Invalid general.alignment ${String(alignmentValue)}`);

        // The data section starts at the next multiple of the alignment after the infos.
        this.dataOffset = Math.ceil(this.position / this.alignment) * this.alignment;
    }

    static read(filePath: string): GgufFile {
        return new GgufFile(readFileSync(filePath));
    }

    /** Metadata value as a JS number; throws when absent (unless a fallback is given). */
    getNumber(key: string, fallback?: number): number {
        const value = this.metadata.get(key);
        if (value === undefined) {
            if (fallback !== undefined)
                return fallback;
            throw new Error(`GGUF metadata key ${key} is missing`);
        }
        if (typeof value === "number")
            return value;
        if (typeof value === "bigint") {
            if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
                throw new Error(`GGUF metadata key ${key} does not fit a JS number`);
            return Number(value);
        }
        throw new Error(`GGUF metadata key ${key} is not numeric`);
    }

    /** Decodes an F32 tensor into float64 (lossless widening). Other types are refused. */
    getF32Tensor(name: string): GgufF32Tensor {
        const info = this.tensors.get(name);
        if (info === undefined)
            throw new Error(`GGUF tensor ${name} is missing`);
        if (info.type !== GGML_TYPE_F32)
            throw new Error(`GGUF tensor ${name} has ggml type ${info.type}; the reference reader decodes only F32 (type 0)`);

        const count = info.dims.reduce((product, dim) => product * dim, 1);
        const start = this.dataOffset + info.offset;
        if (start + count * 4 > this.buffer.length)
            throw new Error(`GGUF tensor ${name} runs past the end of the file`);

        const data = new Float64Array(count);
        for (let i = 0; i < count; i++)
            data[i] = this.buffer.readFloatLE(start + i * 4);
        return { dims: [...info.dims], data };
    }

    hasTensor(name: string): boolean {
        return this.tensors.has(name);
    }

    private readValue(type: number): GgufValue {
        switch (type) {
            case ValueType.Uint8: return this.advance(1, (at) => this.buffer.readUint8(at));
            case ValueType.Int8: return this.advance(1, (at) => this.buffer.readInt8(at));
            case ValueType.Uint16: return this.advance(2, (at) => this.buffer.readUint16LE(at));
            case ValueType.Int16: return this.advance(2, (at) => this.buffer.readInt16LE(at));
            case ValueType.Uint32: return this.readUint32();
            case ValueType.Int32: return this.advance(4, (at) => this.buffer.readInt32LE(at));
            case ValueType.Float32: return this.advance(4, (at) => this.buffer.readFloatLE(at));
            case ValueType.Bool: return this.advance(1, (at) => this.buffer.readUint8(at) !== 0);
            case ValueType.String: return this.readString();
            case ValueType.Uint64: return this.advance(8, (at) => this.buffer.readBigUint64LE(at));
            case ValueType.Int64: return this.advance(8, (at) => this.buffer.readBigInt64LE(at));
            case ValueType.Float64: return this.advance(8, (at) => this.buffer.readDoubleLE(at));
            case ValueType.Array: {
                const itemType = this.readUint32();
                const length = this.readCount();
                const items: GgufValue[] = [];
                for (let i = 0; i < length; i++)
                    items.push(this.readValue(itemType));
                return items;
            }
            default:
                throw new Error(`Unknown GGUF metadata value type ${type} at byte ${this.position - 4}`);
        }
    }

    /** Reads at the cursor, then moves it; bounds errors surface as Node RangeErrors. */
    private advance<T>(size: number, read: (at: number) => T): T {
        const value = read(this.position);
        this.position += size;
        return value;
    }

    private readUint32(): number {
        return this.advance(4, (at) => this.buffer.readUint32LE(at));
    }

    /** A uint64 used as a count, length, dim or offset: must be a safe JS integer. */
    private readCount(): number {
        const value = this.advance(8, (at) => this.buffer.readBigUint64LE(at));
        if (value > BigInt(Number.MAX_SAFE_INTEGER))
            throw new Error(`GGUF count ${value} is too large`);
        return Number(value);
    }

    private readString(): string {
        const length = this.readCount();
        const text = this.buffer.toString("utf8", this.position, this.position + length);
        this.position += length;
        return text;
    }
}
