/**
 * A minimal GGUF v3 writer (and header reader) for benchmark model files.
 *
 * Layout written (see ggml/include/gguf.h for the format):
 *   "GGUF" | u32 version=3 | u64 tensor count | u64 kv count
 *   kv pairs: string key | u32 value type | value (arrays: u32 item type | u64 count | items)
 *   tensor infos: string name | u32 n_dims | u64 dims[n_dims] (ggml order: ne0 first) | u32 ggml type | u64 offset
 *   zero padding to the alignment
 *   tensor data blob: every tensor starts at an aligned offset (relative to the blob start), zero padded
 * Strings are a u64 byte length followed by UTF-8 bytes (no terminator); all numbers little-endian.
 *
 * Tensor data is produced by a generator per tensor and encoded and written chunk by chunk,
 * so a file of any size is written with memory for one chunk (plus the header) at a time.
 */
import { createHash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

export enum GgufValueType {
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12
}

/** The ggml tensor types this writer can encode. */
export enum GgmlType {
    F32 = 0,
    F16 = 1,
    Q8_0 = 8
}

export type GgufNumberType =
    | GgufValueType.UINT8 | GgufValueType.INT8 | GgufValueType.UINT16 | GgufValueType.INT16
    | GgufValueType.UINT32 | GgufValueType.INT32 | GgufValueType.FLOAT32 | GgufValueType.FLOAT64;
export type GgufBigIntType = GgufValueType.UINT64 | GgufValueType.INT64;
export type GgufScalarType = GgufNumberType | GgufBigIntType | GgufValueType.BOOL | GgufValueType.STRING;
export type GgufScalar = number | bigint | boolean | string;

export type GgufValue =
    | { type: GgufNumberType; value: number }
    | { type: GgufBigIntType; value: bigint }
    | { type: GgufValueType.BOOL; value: boolean }
    | { type: GgufValueType.STRING; value: string }
    | { type: GgufValueType.ARRAY; itemType: GgufScalarType; value: readonly GgufScalar[] };

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

export const GGUF_DEFAULT_ALIGNMENT = 32;
const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3;
export const QK8_0 = 32;
const Q8_0_BLOCK_BYTES = 2 + QK8_0; // f16 scale + 32 int8

/**
 * One tensor. `dims` are in ggml order (ne0, the contiguous row length, first).
 * `data` yields the values in row-major ggml order, in chunks of any size
 * (for Q8_0 each chunk must be a multiple of 32 values). Chunks may reuse one buffer.
 */
export interface GgufTensorSpec {
    name: string;
    dims: readonly number[];
    type: GgmlType;
    data: () => Iterable<Float32Array>;
}

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
    tensors: GgufTensorLayout[];
    totalSize: number;
}

export interface GgufWriteResult {
    bytes: number;
    sha256: string;
}

const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;

export function elementCount(dims: readonly number[]): number {
    return dims.reduce((a, b) => a * b, 1);
}

export function tensorByteSize(type: GgmlType, dims: readonly number[]): number {
    const n = elementCount(dims);
    switch (type) {
        case GgmlType.F32: return n * 4;
        case GgmlType.F16: return n * 2;
        case GgmlType.Q8_0:
            if (dims[0]! % QK8_0 !== 0) throw new Error(`Q8_0 needs a row length divisible by ${QK8_0}, got ${dims[0]}`);
            return (n / QK8_0) * Q8_0_BLOCK_BYTES;
    }
}

// ---------------------------------------------------------------- f16

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE binary32 -> binary16 bits, round to nearest even (as ggml's reference conversion). */
export function float32ToFloat16Bits(value: number): number {
    f32Scratch[0] = value;
    const x = u32Scratch[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0); // inf / NaN (quiet)
    const e = exp - 127 + 15; // rebias
    if (e >= 0x1f) return sign | 0x7c00; // overflow -> inf
    if (e <= 0) {
        // subnormal half (or zero): value = mant' * 2^-24
        if (e < -10) return sign; // too small, rounds to zero
        mant |= 0x800000; // implicit leading 1
        const shift = 14 - e; // 24-bit mantissa -> (11 - (1 - e))-bit field
        const halfway = 1 << (shift - 1);
        const rest = mant & ((1 << shift) - 1);
        let h = mant >>> shift;
        if (rest > halfway || (rest === halfway && (h & 1) === 1)) h++;
        return sign | h; // a carry into bit 10 correctly makes the smallest normal
    }
    let h = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry may round up to inf: correct
    return sign | h;
}

// ---------------------------------------------------------------- encoders

/** C `roundf`: halves away from zero. `value` is a float32 value, so `+ 0.5` in doubles is exact. */
function roundHalfAwayFromZero(value: number): number {
    return value < 0 ? -Math.floor(-value + 0.5) : Math.floor(value + 0.5);
}

/**
 * Q8_0: per block of 32 values, d = max|x| / 127 (stored as f16), q = round(x / d) as int8
 * (computed in float32 as x * (1/d), like ggml's reference quantizer).
 */
export function encodeQ8_0(values: Float32Array, out: Buffer, outOffset = 0): number {
    if (values.length % QK8_0 !== 0) throw new Error(`Q8_0 chunk length ${values.length} is not a multiple of ${QK8_0}`);
    let o = outOffset;
    for (let b = 0; b < values.length; b += QK8_0) {
        let amax = 0;
        for (let j = 0; j < QK8_0; j++) {
            const a = Math.abs(values[b + j]!);
            if (a > amax) amax = a;
        }
        const d = Math.fround(amax / 127);
        const id = d !== 0 ? Math.fround(1 / d) : 0;
        out.writeUInt16LE(float32ToFloat16Bits(d), o);
        o += 2;
        for (let j = 0; j < QK8_0; j++) {
            const q = roundHalfAwayFromZero(Math.fround(values[b + j]! * id));
            out[o++] = (q < -128 ? -128 : q > 127 ? 127 : q) & 0xff;
        }
    }
    return o - outOffset;
}

function encodeChunk(type: GgmlType, values: Float32Array): Buffer {
    switch (type) {
        case GgmlType.F32: {
            const out = Buffer.allocUnsafe(values.length * 4);
            for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
            return out;
        }
        case GgmlType.F16: {
            const out = Buffer.allocUnsafe(values.length * 2);
            for (let i = 0; i < values.length; i++) out.writeUInt16LE(float32ToFloat16Bits(values[i]!), i * 2);
            return out;
        }
        case GgmlType.Q8_0: {
            const out = Buffer.allocUnsafe((values.length / QK8_0) * Q8_0_BLOCK_BYTES);
            encodeQ8_0(values, out);
            return out;
        }
    }
}

// ---------------------------------------------------------------- header serialisation

/** Growable little-endian byte buffer for the header. */
class ByteSink {
    private buf = Buffer.alloc(1 << 16);
    length = 0;

    private reserve(n: number): void {
        if (this.length + n <= this.buf.length) return;
        let size = this.buf.length * 2;
        while (size < this.length + n) size *= 2;
        const next = Buffer.alloc(size);
        this.buf.copy(next, 0, 0, this.length);
        this.buf = next;
    }

    u8(v: number): void { this.reserve(1); this.buf.writeUInt8(v, this.length); this.length += 1; }
    i8(v: number): void { this.reserve(1); this.buf.writeInt8(v, this.length); this.length += 1; }
    u16(v: number): void { this.reserve(2); this.buf.writeUInt16LE(v, this.length); this.length += 2; }
    i16(v: number): void { this.reserve(2); this.buf.writeInt16LE(v, this.length); this.length += 2; }
    u32(v: number): void { this.reserve(4); this.buf.writeUInt32LE(v, this.length); this.length += 4; }
    i32(v: number): void { this.reserve(4); this.buf.writeInt32LE(v, this.length); this.length += 4; }
    f32(v: number): void { this.reserve(4); this.buf.writeFloatLE(v, this.length); this.length += 4; }
    f64(v: number): void { this.reserve(8); this.buf.writeDoubleLE(v, this.length); this.length += 8; }
    u64(v: bigint | number): void { this.reserve(8); this.buf.writeBigUInt64LE(BigInt(v), this.length); this.length += 8; }
    i64(v: bigint): void { this.reserve(8); this.buf.writeBigInt64LE(v, this.length); this.length += 8; }
    str(s: string): void {
        const bytes = Buffer.from(s, "utf8");
        this.u64(bytes.length);
        this.reserve(bytes.length);
        bytes.copy(this.buf, this.length);
        this.length += bytes.length;
    }
    zeros(n: number): void { this.reserve(n); this.buf.fill(0, this.length, this.length + n); this.length += n; }
    toBuffer(): Buffer { return Buffer.from(this.buf.subarray(0, this.length)); }
}

function writeScalar(sink: ByteSink, type: GgufScalarType, value: GgufScalar, key: string): void {
    const bad = (): never => { throw new Error(`GGUF key ${key}: value ${String(value)} does not fit type ${GgufValueType[type]}`); };
    const int = (lo: number, hi: number): number => {
        if (typeof value !== "number" || !Number.isInteger(value) || value < lo || value > hi) bad();
        return value as number;
    };
    switch (type) {
        case GgufValueType.UINT8: sink.u8(int(0, 0xff)); break;
        case GgufValueType.INT8: sink.i8(int(-0x80, 0x7f)); break;
        case GgufValueType.UINT16: sink.u16(int(0, 0xffff)); break;
        case GgufValueType.INT16: sink.i16(int(-0x8000, 0x7fff)); break;
        case GgufValueType.UINT32: sink.u32(int(0, 0xffffffff)); break;
        case GgufValueType.INT32: sink.i32(int(-0x80000000, 0x7fffffff)); break;
        case GgufValueType.FLOAT32: if (typeof value !== "number") bad(); sink.f32(value as number); break;
        case GgufValueType.FLOAT64: if (typeof value !== "number") bad(); sink.f64(value as number); break;
        case GgufValueType.UINT64: if (typeof value !== "bigint" || value < 0n || value >= 1n << 64n) bad(); sink.u64(value as bigint); break;
        case GgufValueType.INT64: if (typeof value !== "bigint" || value < -(1n << 63n) || value >= 1n << 63n) bad(); sink.i64(value as bigint); break;
        case GgufValueType.BOOL: if (typeof value !== "boolean") bad(); sink.u8(value ? 1 : 0); break;
        case GgufValueType.STRING: if (typeof value !== "string") bad(); sink.str(value as string); break;
        default: throw new Error(`GGUF key ${key}: unsupported scalar type ${String(type)}`);
    }
}

// ---------------------------------------------------------------- writer

export class GgufWriter {
    private readonly kvs = new Map<string, GgufValue>();
    private readonly tensors: GgufTensorSpec[] = [];

    constructor(private readonly alignment = GGUF_DEFAULT_ALIGNMENT) {
        if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0)
            throw new Error(`alignment must be a power of two, got ${alignment}`);
        if (alignment !== GGUF_DEFAULT_ALIGNMENT) this.kvs.set("general.alignment", gguf.u32(alignment));
    }

    /** Sets a key (insertion order is kept; setting an existing key replaces its value in place). */
    set(key: string, value: GgufValue): this {
        if (key === "general.alignment") throw new Error("general.alignment is set through the constructor");
        if (value.type === GgufValueType.ARRAY && (value.itemType as GgufValueType) === GgufValueType.ARRAY)
            throw new Error(`GGUF key ${key}: nested arrays are not supported`);
        this.kvs.set(key, value);
        return this;
    }

    get(key: string): GgufValue | undefined {
        return this.kvs.get(key);
    }

    addTensor(spec: GgufTensorSpec): this {
        if (this.tensors.some((t) => t.name === spec.name)) throw new Error(`duplicate tensor ${spec.name}`);
        if (spec.dims.length < 1 || spec.dims.length > 4 || spec.dims.some((d) => !Number.isInteger(d) || d <= 0))
            throw new Error(`tensor ${spec.name}: bad dims ${JSON.stringify(spec.dims)}`);
        if (Buffer.byteLength(spec.name, "utf8") >= 64) throw new Error(`tensor name too long for ggml: ${spec.name}`);
        tensorByteSize(spec.type, spec.dims); // validates
        this.tensors.push(spec);
        return this;
    }

    /** Serialises the header and computes every offset; the file size is known before any data is made. */
    layout(): GgufLayout {
        const sink = new ByteSink();
        sink.u32(GGUF_MAGIC);
        sink.u32(GGUF_VERSION);
        sink.u64(this.tensors.length);
        sink.u64(this.kvs.size);
        for (const [key, value] of this.kvs) {
            sink.str(key);
            sink.u32(value.type);
            if (value.type === GgufValueType.ARRAY) {
                sink.u32(value.itemType);
                sink.u64(value.value.length);
                for (const item of value.value) writeScalar(sink, value.itemType, item, key);
            } else {
                writeScalar(sink, value.type, value.value, key);
            }
        }
        const tensors: GgufTensorLayout[] = [];
        let offset = 0;
        for (const t of this.tensors) {
            const byteSize = tensorByteSize(t.type, t.dims);
            tensors.push({ name: t.name, dims: t.dims, type: t.type, offset, byteSize });
            sink.str(t.name);
            sink.u32(t.dims.length);
            for (const d of t.dims) sink.u64(d);
            sink.u32(t.type);
            sink.u64(offset);
            offset = alignUp(offset + byteSize, this.alignment);
        }
        sink.zeros(alignUp(sink.length, this.alignment) - sink.length);
        const headerBytes = sink.toBuffer();
        return { headerBytes, dataStart: headerBytes.length, tensors, totalSize: headerBytes.length + offset };
    }

    /**
     * Writes the file to `path + ".partial"` and renames it into place when complete.
     * `onTensor` is told after each tensor (for progress output).
     */
    write(path: string, onTensor?: (index: number, count: number, name: string) => void): GgufWriteResult {
        const { headerBytes, tensors, totalSize } = this.layout();
        const partial = `${path}.partial`;
        const hash = createHash("sha256");
        const fd = openSync(partial, "w");
        let written = 0;
        const put = (bytes: Buffer): void => {
            let done = 0;
            while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
            hash.update(bytes);
            written += bytes.length;
        };
        try {
            put(headerBytes);
            const padding = Buffer.alloc(this.alignment);
            this.tensors.forEach((spec, index) => {
                const expected = elementCount(spec.dims);
                let count = 0;
                for (const chunk of spec.data()) {
                    count += chunk.length;
                    if (count > expected) throw new Error(`tensor ${spec.name}: more than ${expected} values`);
                    put(encodeChunk(spec.type, chunk));
                }
                if (count !== expected) throw new Error(`tensor ${spec.name}: got ${count} values, expected ${expected}`);
                const pad = alignUp(tensors[index]!.byteSize, this.alignment) - tensors[index]!.byteSize;
                if (pad > 0) put(padding.subarray(0, pad));
                onTensor?.(index, this.tensors.length, spec.name);
            });
            if (written !== totalSize) throw new Error(`wrote ${written} bytes, layout said ${totalSize}`);
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
}

// ---------------------------------------------------------------- header reader

export interface GgufHeader {
    version: number;
    kvs: Map<string, GgufValue>;
    tensors: { name: string; dims: number[]; type: number; offset: number }[];
    alignment: number;
    /** Absolute file offset of the data blob. */
    dataStart: number;
}

class OutOfData extends Error {}

/** Little-endian cursor over a buffer that throws OutOfData when it runs past the end. */
class Cursor {
    pos = 0;
    constructor(private readonly buf: Buffer) {}
    private need(n: number): number {
        if (this.pos + n > this.buf.length) throw new OutOfData();
        const at = this.pos;
        this.pos += n;
        return at;
    }
    u8(): number { return this.buf.readUInt8(this.need(1)); }
    i8(): number { return this.buf.readInt8(this.need(1)); }
    u16(): number { return this.buf.readUInt16LE(this.need(2)); }
    i16(): number { return this.buf.readInt16LE(this.need(2)); }
    u32(): number { return this.buf.readUInt32LE(this.need(4)); }
    i32(): number { return this.buf.readInt32LE(this.need(4)); }
    f32(): number { return this.buf.readFloatLE(this.need(4)); }
    f64(): number { return this.buf.readDoubleLE(this.need(8)); }
    u64(): bigint { return this.buf.readBigUInt64LE(this.need(8)); }
    i64(): bigint { return this.buf.readBigInt64LE(this.need(8)); }
    u64n(): number {
        const v = this.u64();
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`GGUF count ${v} is too large`);
        return Number(v);
    }
    str(): string {
        const n = this.u64n();
        const at = this.need(n);
        return this.buf.toString("utf8", at, at + n);
    }
}

function readScalar(c: Cursor, type: number): GgufScalar {
    switch (type) {
        case GgufValueType.UINT8: return c.u8();
        case GgufValueType.INT8: return c.i8();
        case GgufValueType.UINT16: return c.u16();
        case GgufValueType.INT16: return c.i16();
        case GgufValueType.UINT32: return c.u32();
        case GgufValueType.INT32: return c.i32();
        case GgufValueType.FLOAT32: return c.f32();
        case GgufValueType.FLOAT64: return c.f64();
        case GgufValueType.UINT64: return c.u64();
        case GgufValueType.INT64: return c.i64();
        case GgufValueType.BOOL: return c.u8() !== 0;
        case GgufValueType.STRING: return c.str();
        default: throw new Error(`unsupported GGUF value type ${type}`);
    }
}

function parseHeader(buf: Buffer): GgufHeader {
    const c = new Cursor(buf);
    if (c.u32() !== GGUF_MAGIC) throw new Error("not a GGUF file (bad magic)");
    const version = c.u32();
    if (version !== 2 && version !== 3) throw new Error(`unsupported GGUF version ${version}`);
    const tensorCount = c.u64n();
    const kvCount = c.u64n();
    const kvs = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
        const key = c.str();
        const type = c.u32();
        if (type === GgufValueType.ARRAY) {
            const itemType = c.u32();
            const n = c.u64n();
            const items: GgufScalar[] = new Array(n);
            for (let j = 0; j < n; j++) items[j] = readScalar(c, itemType);
            kvs.set(key, { type: GgufValueType.ARRAY, itemType: itemType as GgufScalarType, value: items });
        } else {
            kvs.set(key, { type, value: readScalar(c, type) } as GgufValue);
        }
    }
    const tensors: GgufHeader["tensors"] = [];
    for (let i = 0; i < tensorCount; i++) {
        const name = c.str();
        const nDims = c.u32();
        const dims: number[] = [];
        for (let d = 0; d < nDims; d++) dims.push(c.u64n());
        const type = c.u32();
        const offset = c.u64n();
        tensors.push({ name, dims, type, offset });
    }
    const alignmentKv = kvs.get("general.alignment");
    const alignment = alignmentKv && typeof alignmentKv.value === "number" ? alignmentKv.value : GGUF_DEFAULT_ALIGNMENT;
    return { version, kvs, tensors, alignment, dataStart: alignUp(c.pos, alignment) };
}

/** Reads a GGUF file's metadata and tensor infos (not the tensor data), keeping every value's GGUF type. */
export function readGgufHeader(path: string): GgufHeader {
    const fd = openSync(path, "r");
    try {
        for (let size = 8 << 20; ; size *= 2) {
            const buf = Buffer.alloc(size);
            const n = readSync(fd, buf, 0, size, 0);
            try {
                return parseHeader(buf.subarray(0, n));
            } catch (error) {
                if (!(error instanceof OutOfData)) throw error;
                if (n < size) throw new Error(`${path}: truncated GGUF header`);
            }
        }
    } finally {
        closeSync(fd);
    }
}
