/**
 * The ggml tensor data encodings the GGUF writer produces: F32, F16 and Q8_0, each value
 * rounded as ggml's reference conversions round it.
 */
import { GgmlType } from "node-llama-cpp";

export { GgmlType };
export const QK8_0 = 32;
const Q8_0_BLOCK_BYTES = 2 + QK8_0; // f16 scale + 32 int8

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
        default: throw new Error(`the GGUF writer does not encode ggml type ${GgmlType[type] ?? type}`);
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

/** Encodes values as `type`; bytes (a copied tensor's data) pass as they are. */
export function encodeTensorChunk(type: GgmlType, chunk: Float32Array | Buffer): Buffer {
    if (Buffer.isBuffer(chunk))
        return chunk;
    switch (type) {
        case GgmlType.F32: {
            const out = Buffer.allocUnsafe(chunk.length * 4);
            for (let i = 0; i < chunk.length; i++) out.writeFloatLE(chunk[i]!, i * 4);
            return out;
        }
        case GgmlType.F16: {
            const out = Buffer.allocUnsafe(chunk.length * 2);
            for (let i = 0; i < chunk.length; i++) out.writeUInt16LE(float32ToFloat16Bits(chunk[i]!), i * 2);
            return out;
        }
        case GgmlType.Q8_0: {
            const out = Buffer.allocUnsafe((chunk.length / QK8_0) * Q8_0_BLOCK_BYTES);
            encodeQ8_0(chunk, out);
            return out;
        }
        default: throw new Error(`the GGUF writer does not encode ggml type ${GgmlType[type] ?? type}`);
    }
}
