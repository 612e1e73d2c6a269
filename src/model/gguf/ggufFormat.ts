/**
 * The GGUF container (ggml/docs/gguf.md), as the reader and the writer both see it:
 *   "GGUF" | u32 version | u64 tensor count | u64 metadata count
 *   metadata: string key | u32 value type | value (arrays: u32 item type | u64 count | items)
 *   tensor descriptions: string name | u32 dimension count | u64 extents (ne0 first) | u32 ggml type | u64 data offset
 *   zero padding to the alignment, then the tensor data (each tensor at an aligned offset)
 * All numbers little-endian; a string is a u64 byte length and UTF-8 bytes, no terminator.
 */

export const GGUF_MAGIC = "GGUF";
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;
export const ALIGNMENT_KEY = "general.alignment";

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

export type GgufScalarType = Exclude<GgufValueType, GgufValueType.ARRAY>;
export type GgufScalar = number | bigint | boolean | string;

/** A metadata value with its GGUF type. */
export type GgufValue =
    | { type: GgufScalarType; value: GgufScalar }
    | { type: GgufValueType.ARRAY; itemType: GgufScalarType; value: readonly GgufScalar[] };

/** How a fixed-size value type is read and written, and which JavaScript values it holds. */
export type FixedValueCodec = {
    size: number;
    read: (buffer: Buffer, at: number) => GgufScalar;
    /** Throws a RangeError for a value out of the type's range. */
    write: (buffer: Buffer, value: never, at: number) => void;
    holds: (value: GgufScalar) => boolean;
};

const isInteger = (value: GgufScalar) => typeof value === "number" && Number.isInteger(value);
const isNumber = (value: GgufScalar) => typeof value === "number";
const isBigInt = (value: GgufScalar) => typeof value === "bigint";

export const fixedValueCodecs: ReadonlyMap<GgufValueType, FixedValueCodec> = new Map<GgufValueType, FixedValueCodec>([
    [GgufValueType.UINT8, { size: 1, read: (b, at) => b.readUInt8(at), write: (b, v: number, at) => b.writeUInt8(v, at), holds: isInteger }],
    [GgufValueType.INT8, { size: 1, read: (b, at) => b.readInt8(at), write: (b, v: number, at) => b.writeInt8(v, at), holds: isInteger }],
    [GgufValueType.UINT16, { size: 2, read: (b, at) => b.readUInt16LE(at), write: (b, v: number, at) => b.writeUInt16LE(v, at), holds: isInteger }],
    [GgufValueType.INT16, { size: 2, read: (b, at) => b.readInt16LE(at), write: (b, v: number, at) => b.writeInt16LE(v, at), holds: isInteger }],
    [GgufValueType.UINT32, { size: 4, read: (b, at) => b.readUInt32LE(at), write: (b, v: number, at) => b.writeUInt32LE(v, at), holds: isInteger }],
    [GgufValueType.INT32, { size: 4, read: (b, at) => b.readInt32LE(at), write: (b, v: number, at) => b.writeInt32LE(v, at), holds: isInteger }],
    [GgufValueType.FLOAT32, { size: 4, read: (b, at) => b.readFloatLE(at), write: (b, v: number, at) => b.writeFloatLE(v, at), holds: isNumber }],
    [GgufValueType.BOOL, { size: 1, read: (b, at) => b.readUInt8(at) !== 0, write: (b, v: boolean, at) => b.writeUInt8(v ? 1 : 0, at), holds: (v) => typeof v === "boolean" }],
    [GgufValueType.UINT64, { size: 8, read: (b, at) => b.readBigUInt64LE(at), write: (b, v: bigint, at) => b.writeBigUInt64LE(v, at), holds: isBigInt }],
    [GgufValueType.INT64, { size: 8, read: (b, at) => b.readBigInt64LE(at), write: (b, v: bigint, at) => b.writeBigInt64LE(v, at), holds: isBigInt }],
    [GgufValueType.FLOAT64, { size: 8, read: (b, at) => b.readDoubleLE(at), write: (b, v: number, at) => b.writeDoubleLE(v, at), holds: isNumber }]
]);

/** Bytes a string's length field takes. */
export const STRING_LENGTH_BYTES = 8;

export function alignUp(offset: number, alignment: number): number {
    return Math.ceil(offset / alignment) * alignment;
}
