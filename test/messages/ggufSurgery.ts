import { readFileSync } from "node:fs";

/**
 * Where things sit in a GGUF file, found by walking it (written here, apart from reer's
 * own reader, so the tests do not check reer against itself): the header counts, each
 * metadata entry, and each tensor description's offset field.
 */
export type GgufMap = {
    bytes: Buffer;
    tensorCountAt: number;
    metadataCountAt: number;
    /** Per metadata key: where its value starts and, for arrays, where the item count sits. */
    entries: Map<string, { valueAt: number; arrayLengthAt?: number; stringItemsAt?: number[] }>;
    /** Per tensor: where its u64 data offset field sits, and the offset it holds. */
    tensors: { name: string; offsetFieldAt: number; offset: bigint }[];
};

const fixedSizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function mapGguf(file: string): GgufMap {
    const bytes = readFileSync(file);
    let at = 8;
    const u32 = () => { const value = bytes.readUInt32LE(at); at += 4; return value; };
    const u64 = () => { const value = bytes.readBigUInt64LE(at); at += 8; return value; };
    const str = () => { const length = Number(u64()); const text = bytes.toString("utf8", at, at + length); at += length; return text; };
    const tensorCountAt = at;
    const tensorCount = Number(u64());
    const metadataCountAt = at;
    const metadataCount = Number(u64());
    const entries: GgufMap["entries"] = new Map();
    for (let i = 0; i < metadataCount; i++) {
        const key = str();
        const type = u32();
        const valueAt = at;
        if (type === 9) {
            const itemType = u32();
            const arrayLengthAt = at;
            const length = Number(u64());
            const stringItemsAt: number[] = [];
            for (let item = 0; item < length; item++) {
                if (itemType === 8) {
                    stringItemsAt.push(at);
                    str();
                } else {
                    at += fixedSizes[itemType]!;
                }
            }
            entries.set(key, { valueAt, arrayLengthAt, ...(itemType === 8 ? { stringItemsAt } : {}) });
        } else if (type === 8) {
            str();
            entries.set(key, { valueAt });
        } else {
            at += fixedSizes[type]!;
            entries.set(key, { valueAt });
        }
    }
    const tensors: GgufMap["tensors"] = [];
    for (let i = 0; i < tensorCount; i++) {
        const name = str();
        const dims = u32();
        at += 8 * dims + 4;
        const offsetFieldAt = at;
        tensors.push({ name, offsetFieldAt, offset: u64() });
    }
    return { bytes, tensorCountAt, metadataCountAt, entries, tensors };
}
