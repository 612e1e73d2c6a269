import { writeFileSync } from "node:fs";

/**
 * Writes a GGUF v3 file with string metadata and no tensors: enough to reach llama.cpp's
 * architecture check. Hand-rolled so the test does not depend on reer's own code.
 */
export function writeMinimalGguf(file: string, metadata: Record<string, string>): void {
    const parts: Buffer[] = [];
    const u32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); parts.push(b); };
    const u64 = (value: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(value)); parts.push(b); };
    const str = (value: string) => { const bytes = Buffer.from(value, "utf8"); u64(bytes.length); parts.push(bytes); };
    const GGUF_TYPE_STRING = 8;
    parts.push(Buffer.from("GGUF", "latin1"));
    u32(3);
    u64(0);
    u64(Object.keys(metadata).length);
    for (const [key, value] of Object.entries(metadata)) {
        str(key);
        u32(GGUF_TYPE_STRING);
        str(value);
    }
    writeFileSync(file, Buffer.concat(parts));
}
