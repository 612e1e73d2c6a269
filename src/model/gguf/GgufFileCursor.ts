import type { FileHandle } from "node:fs/promises";
import { STRING_LENGTH_BYTES } from "./ggufFormat.js";

/** A read that would pass the real end of the file. */
export class EndOfFile extends Error {}

/** Sequential reads through a file that stop at its real end instead of reading zeros past it. */
export class GgufFileCursor {
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
        return (await this.bytes(4)).readUInt32LE(0);
    }

    public async u64(): Promise<bigint> {
        return (await this.bytes(8)).readBigUInt64LE(0);
    }

    /** The next `length` bytes; a view into the cursor's buffer, valid until the next read. */
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
            const lengthAt = this.inBuffer(STRING_LENGTH_BYTES) ?? await this.ensure(STRING_LENGTH_BYTES);
            const length = this.buffer.readBigUInt64LE(lengthAt);
            if (length > BigInt(this.remaining - STRING_LENGTH_BYTES))
                throw new EndOfFile();
            this.position += STRING_LENGTH_BYTES;
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
