/**
 * reer's one GGUF writer: the bench model, the scripted test models, and the files tests
 * write (damaged ones on request, see GgufMalformations). It refuses what llama.cpp
 * refuses (src/model/gguf/ggufRules.ts) unless asked for that damage.
 *
 * Tensor data is produced by a generator per tensor and encoded and written chunk by chunk,
 * so a file of any size is written with memory for one chunk (plus the header) at a time.
 */
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import {
    ALIGNMENT_KEY, alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VERSION, GgufValueType,
    type GgufScalar, type GgufScalarType, type GgufValue
} from "../../src/model/gguf/ggufFormat.js";
import {
    alignmentProblem, dimensionCountProblem, metadataKeysProblem, tensorDataOffsets, tensorNameProblem, TOKENS_KEY, vocabularyProblem
} from "../../src/model/gguf/ggufRules.js";
import { GgufHeaderSink } from "./GgufHeaderSink.js";
import { encodeTensorChunk, GgmlType, tensorByteSize } from "./tensorEncoding.js";

export { GgufValueType, type GgufValue };
export { GgmlType, QK8_0 } from "./tensorEncoding.js";

/** Typed value constructors: `gguf.u32(24)`, `gguf.array(GgufValueType.STRING, tokens)`. */
export const gguf = {
    u8: (value: number): GgufValue => ({ type: GgufValueType.UINT8, value }),
    i8: (value: number): GgufValue => ({ type: GgufValueType.INT8, value }),
    u16: (value: number): GgufValue => ({ type: GgufValueType.UINT16, value }),
    i16: (value: number): GgufValue => ({ type: GgufValueType.INT16, value }),
    u32: (value: number): GgufValue => ({ type: GgufValueType.UINT32, value }),
    i32: (value: number): GgufValue => ({ type: GgufValueType.INT32, value }),
    f32: (value: number): GgufValue => ({ type: GgufValueType.FLOAT32, value }),
    f64: (value: number): GgufValue => ({ type: GgufValueType.FLOAT64, value }),
    u64: (value: bigint): GgufValue => ({ type: GgufValueType.UINT64, value }),
    i64: (value: bigint): GgufValue => ({ type: GgufValueType.INT64, value }),
    bool: (value: boolean): GgufValue => ({ type: GgufValueType.BOOL, value }),
    str: (value: string): GgufValue => ({ type: GgufValueType.STRING, value }),
    array: (itemType: GgufScalarType, value: readonly GgufScalar[]): GgufValue => ({ type: GgufValueType.ARRAY, itemType, value })
};

/**
 * One tensor. `dims` are in ggml order (ne0, the contiguous row length, first). `data`
 * yields the values in row-major ggml order, in chunks of any size (for Q8_0 each chunk
 * must be a multiple of 32 values; chunks may reuse one buffer), or the encoded bytes as
 * they are (a copied tensor).
 */
export interface GgufTensorSpec {
    name: string;
    dims: readonly number[];
    type: GgmlType;
    data: () => Iterable<Float32Array | Buffer>;
}

/** Damage written on request, for tests of how damaged files are diagnosed. */
export type GgufMalformations = {
    /** The tensor count the header declares. */
    tensorCount?: bigint;
    /** Item counts metadata arrays declare, by key. */
    arrayLengths?: Readonly<Record<string, bigint>>;
    /** Data offsets tensor descriptions declare (from the start of the tensor data), by name. */
    tensorOffsets?: Readonly<Record<string, bigint>>;
    /** Writes a vocabulary llama.cpp refuses (duplicate token texts, short per-token arrays). */
    uncheckedVocabulary?: boolean;
    /** Ends the file at this byte, as an interrupted download leaves it. */
    cutAt?: number;
};

export interface GgufTensorLayout {
    name: string;
    dims: readonly number[];
    type: GgmlType;
    /** Offset relative to the start of the data blob. */
    offset: number;
    byteSize: number;
}

export interface GgufLayout {
    headerBytes: Buffer;
    /** Absolute file offset of the data blob. */
    dataStart: number;
    /** Absolute file offset of each metadata entry. */
    entryOffsets: ReadonlyMap<string, number>;
    tensors: GgufTensorLayout[];
    totalSize: number;
}

export interface GgufWriteResult {
    bytes: number;
    sha256: string;
}

export class GgufWriter {
    private readonly kvs = new Map<string, GgufValue>();
    private readonly tensors: GgufTensorSpec[] = [];

    public constructor(private readonly malformed: GgufMalformations = {}) {}

    /** Sets a key (insertion order is kept; setting an existing key replaces its value in place). */
    public set(key: string, value: GgufValue): this {
        if (value.type === GgufValueType.ARRAY && (value.itemType as GgufValueType) === GgufValueType.ARRAY)
            throw new Error(`GGUF key ${key}: nested arrays are not supported`);
        const problem = key === ALIGNMENT_KEY ? alignmentProblem(value.type, Number(value.value)) : undefined;
        if (problem != null)
            throw new Error(problem);
        this.kvs.set(key, value);
        return this;
    }

    public get(key: string): GgufValue | undefined {
        return this.kvs.get(key);
    }

    public addTensor(spec: GgufTensorSpec): this {
        const problem = tensorNameProblem(this.tensors.length, spec.name) ?? dimensionCountProblem(spec.name, spec.dims.length);
        if (problem != null)
            throw new Error(problem);
        if (this.tensors.some((t) => t.name === spec.name)) throw new Error(`duplicate tensor ${spec.name}`);
        if (spec.dims.length < 1 || spec.dims.some((d) => !Number.isInteger(d) || d <= 0))
            throw new Error(`tensor ${spec.name}: bad dims ${JSON.stringify(spec.dims)}`);
        tensorByteSize(spec.type, spec.dims); // validates
        this.tensors.push(spec);
        return this;
    }

    private get alignment(): number {
        const value = this.kvs.get(ALIGNMENT_KEY)?.value;
        return value == null ? GGUF_DEFAULT_ALIGNMENT : Number(value);
    }

    /** Serialises the header and computes every offset; the file size is known before any data is made. */
    public layout(): GgufLayout {
        this.checkVocabulary();
        const sink = new GgufHeaderSink();
        sink.bytes(Buffer.from(GGUF_MAGIC, "latin1"));
        sink.u32(GGUF_VERSION);
        sink.u64(this.malformed.tensorCount ?? this.tensors.length);
        sink.u64(this.kvs.size);
        const entryOffsets = new Map<string, number>();
        for (const [key, value] of this.kvs) {
            entryOffsets.set(key, sink.length);
            this.writeEntry(sink, key, value);
        }
        const tensors = this.layTensors();
        for (const { name, dims, type, offset } of tensors) {
            sink.string(name);
            sink.u32(dims.length);
            for (const d of dims) sink.u64(d);
            sink.u32(type);
            sink.u64(this.malformed.tensorOffsets?.[name] ?? offset);
        }
        // llama.cpp seeks to the aligned data only when there are tensors (vocabulary files have no padding).
        if (tensors.length > 0)
            sink.zeros(alignUp(sink.length, this.alignment) - sink.length);
        const headerBytes = sink.toBuffer();
        const last = tensors.at(-1);
        const dataSize = last == null ? 0 : alignUp(last.offset + last.byteSize, this.alignment);
        return { headerBytes, dataStart: headerBytes.length, entryOffsets, tensors, totalSize: headerBytes.length + dataSize };
    }

    private checkVocabulary(): void {
        const arrayLength = (key: string) => {
            const value = this.kvs.get(key);
            return value?.type === GgufValueType.ARRAY ? value.value.length : undefined;
        };
        const tokens = this.kvs.get(TOKENS_KEY);
        const vocabulary = tokens?.type === GgufValueType.ARRAY && tokens.itemType === GgufValueType.STRING && !this.malformed.uncheckedVocabulary
            ? vocabularyProblem(tokens.value as string[], arrayLength)
            : undefined;
        const problem = metadataKeysProblem([...this.kvs.keys()]) ?? vocabulary;
        if (problem != null)
            throw new Error(`llama.cpp would refuse this GGUF: ${problem}`);
    }

    private writeEntry(sink: GgufHeaderSink, key: string, value: GgufValue): void {
        sink.string(key);
        sink.u32(value.type);
        if (value.type !== GgufValueType.ARRAY)
            return sink.scalar(value.type, value.value, key);
        sink.u32(value.itemType);
        sink.u64(this.malformed.arrayLengths?.[key] ?? value.value.length);
        for (const item of value.value) sink.scalar(value.itemType, item, key);
    }

    private layTensors(): GgufTensorLayout[] {
        const sizes = this.tensors.map(({ type, dims }) => tensorByteSize(type, dims));
        const offsets = tensorDataOffsets(sizes.map(BigInt), this.alignment);
        return this.tensors.map(({ name, dims, type }, index) => ({ name, dims, type, offset: Number(offsets[index]!), byteSize: sizes[index]! }));
    }

    /**
     * Writes the file to `path + ".partial"` and renames it into place when complete.
     * `onTensor` is told after each tensor (for progress output).
     */
    public write(path: string, onTensor?: (index: number, count: number, name: string) => void): GgufWriteResult {
        const { headerBytes, tensors, totalSize } = this.layout();
        const partial = `${path}.partial`;
        const hash = createHash("sha256");
        const fd = openSync(partial, "w");
        const cutAt = this.malformed.cutAt ?? Infinity;
        let written = 0;
        const put = (bytes: Buffer): void => {
            const kept = bytes.subarray(0, Math.max(0, cutAt - written));
            let done = 0;
            while (done < kept.length) done += writeSync(fd, kept, done, kept.length - done);
            hash.update(kept);
            written += kept.length;
        };
        try {
            put(headerBytes);
            this.tensors.forEach((spec, index) => {
                this.writeTensorData(spec, tensors[index]!, put);
                onTensor?.(index, this.tensors.length, spec.name);
            });
            if (written !== Math.min(totalSize, cutAt)) throw new Error(`wrote ${written} bytes, layout said ${totalSize}`);
            fsyncSync(fd);
        } catch (error) {
            closeSync(fd);
            rmSync(partial, { force: true });
            throw error;
        }
        closeSync(fd);
        renameSync(partial, path);
        return { bytes: written, sha256: hash.digest("hex") };
    }

    private writeTensorData(spec: GgufTensorSpec, { byteSize }: GgufTensorLayout, put: (bytes: Buffer) => void): void {
        let bytes = 0;
        for (const chunk of spec.data()) {
            const encoded = encodeTensorChunk(spec.type, chunk);
            bytes += encoded.length;
            if (bytes > byteSize) throw new Error(`tensor ${spec.name}: more than ${byteSize} bytes of data`);
            put(encoded);
        }
        if (bytes !== byteSize) throw new Error(`tensor ${spec.name}: got ${bytes} bytes of data, expected ${byteSize}`);
        put(Buffer.alloc(alignUp(byteSize, this.alignment) - byteSize));
    }
}
