import { fixedValueCodecs, GgufValueType, type GgufScalar, type GgufScalarType } from "../../src/model/gguf/ggufFormat.js";

/** A growable buffer the GGUF header is serialised into, each value checked against its type. */
export class GgufHeaderSink {
    private buffer = Buffer.alloc(1 << 16);
    public length = 0;

    private reserve(n: number): void {
        if (this.length + n <= this.buffer.length) return;
        let size = this.buffer.length * 2;
        while (size < this.length + n) size *= 2;
        const next = Buffer.alloc(size);
        this.buffer.copy(next, 0, 0, this.length);
        this.buffer = next;
    }

    public bytes(bytes: Buffer): void {
        this.reserve(bytes.length);
        bytes.copy(this.buffer, this.length);
        this.length += bytes.length;
    }

    public string(text: string): void {
        const bytes = Buffer.from(text, "utf8");
        this.scalar(GgufValueType.UINT64, BigInt(bytes.length));
        this.bytes(bytes);
    }

    public u32(value: number): void {
        this.scalar(GgufValueType.UINT32, value);
    }

    public u64(value: bigint | number): void {
        this.scalar(GgufValueType.UINT64, BigInt(value));
    }

    /** `key` names the metadata entry in the message when the value does not fit the type. */
    public scalar(type: GgufScalarType, value: GgufScalar, key = "(header)"): void {
        const doesNotFit = () => new Error(`GGUF key ${key}: value ${String(value)} does not fit type ${GgufValueType[type] ?? type}`);
        if (type === GgufValueType.STRING) {
            if (typeof value !== "string") throw doesNotFit();
            return this.string(value);
        }
        const codec = fixedValueCodecs.get(type);
        if (codec == null) throw new Error(`GGUF key ${key}: unsupported value type ${type}`);
        if (!codec.holds(value)) throw doesNotFit();
        this.reserve(codec.size);
        try {
            codec.write(this.buffer, value as never, this.length);
        } catch (error) {
            throw error instanceof RangeError ? doesNotFit() : error;
        }
        this.length += codec.size;
    }

    public zeros(n: number): void {
        this.reserve(n);
        this.buffer.fill(0, this.length, this.length + n);
        this.length += n;
    }

    public toBuffer(): Buffer {
        return Buffer.from(this.buffer.subarray(0, this.length));
    }
}
