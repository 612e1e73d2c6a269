import { readFileSync, writeFileSync } from "node:fs";

/**
 * Copies a GGUF file with extra string metadata (for example a chat template), keeping
 * every tensor byte as it is. Lets tests give the tiny test model a chat template.
 */
export function addGgufStringMetadata(source: string, target: string, extra: Record<string, string>): void {
    const buffer = readFileSync(source);
    let offset = 8; // magic + version
    const u32 = () => { const value = buffer.readUInt32LE(offset); offset += 4; return value; };
    const u64 = () => { const value = Number(buffer.readBigUInt64LE(offset)); offset += 8; return value; };
    const skipString = () => { const length = u64(); offset += length; };
    // Byte sizes of the fixed-size GGUF value types (uint8..float64 per the GGUF spec).
    const fixedSizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
    const skipValue = (type: number): void => {
        if (type === 8) return skipString();
        if (type === 9) {
            const itemType = u32();
            const count = u64();
            for (let i = 0; i < count; i++) skipValue(itemType);
            return;
        }
        const size = fixedSizes[type];
        if (size == null) throw new Error(`unknown GGUF value type ${type}`);
        offset += size;
    };

    const tensorCount = u64();
    const kvCountOffset = offset;
    const kvCount = u64();
    let alignment = 32;
    for (let i = 0; i < kvCount; i++) {
        const keyLength = u64();
        const key = buffer.toString("utf8", offset, offset + keyLength);
        offset += keyLength;
        const type = u32();
        if (key === "general.alignment" && type === 4) alignment = buffer.readUInt32LE(offset);
        skipValue(type);
    }
    const kvEnd = offset;
    for (let i = 0; i < tensorCount; i++) {
        skipString();
        const dims = u32();
        offset += 8 * dims + 4 + 8;
    }
    const infoEnd = offset;
    const dataStart = Math.ceil(infoEnd / alignment) * alignment;

    const added: Buffer[] = [];
    for (const [key, value] of Object.entries(extra)) {
        const keyBytes = Buffer.from(key, "utf8");
        const valueBytes = Buffer.from(value, "utf8");
        const head = Buffer.alloc(8);
        head.writeBigUInt64LE(BigInt(keyBytes.length));
        const typeAndLength = Buffer.alloc(12);
        typeAndLength.writeUInt32LE(8, 0);
        typeAndLength.writeBigUInt64LE(BigInt(valueBytes.length), 4);
        added.push(head, keyBytes, typeAndLength, valueBytes);
    }
    const header = Buffer.from(buffer.subarray(0, kvEnd));
    header.writeBigUInt64LE(BigInt(kvCount + Object.keys(extra).length), kvCountOffset);
    const withInfos = Buffer.concat([header, ...added, buffer.subarray(kvEnd, infoEnd)]);
    const padding = Buffer.alloc((alignment - (withInfos.length % alignment)) % alignment);
    writeFileSync(target, Buffer.concat([withInfos, padding, buffer.subarray(dataStart)]));
}
