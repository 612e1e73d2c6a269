/**
 * MinHash over character shingles: the share of positions where two signatures agree
 * estimates the Jaccard similarity of the two shingle sets, with a standard error of
 * about sqrt(J (1 - J) / hashes). Shingles are taken from the text lower-cased with
 * whitespace runs collapsed, so reflowed copies still match.
 */

export type MinHashOptions = { shingleChars: number; hashes: number };

export function shingleHashes(text: string, shingleChars: number): Set<number> {
    const normalised = text.toLowerCase().replace(/\s+/gu, " ").trim();
    const codes: number[] = [];
    for (const char of normalised)
        codes.push(char.codePointAt(0)!);
    const hashes = new Set<number>();
    if (codes.length === 0)
        return hashes;
    // A text shorter than one shingle is a single shingle of itself.
    const width = Math.min(shingleChars, codes.length);
    for (let start = 0; start + width <= codes.length; start++)
        hashes.add(fnv1a(codes, start, start + width));
    return hashes;
}

export function minHashSignature(text: string, options: MinHashOptions): Uint32Array {
    const signature = new Uint32Array(options.hashes).fill(0xFFFFFFFF);
    const seeds = seedsFor(options.hashes);
    for (const base of shingleHashes(text, options.shingleChars)) {
        for (let index = 0; index < signature.length; index++) {
            // fmix32 is a bijection, so each seed gives a different permutation of the hash space.
            const value = fmix32(base ^ seeds[index]!);
            if (value < signature[index]!)
                signature[index] = value;
        }
    }
    return signature;
}

/** Estimated Jaccard similarity: the share of agreeing signature positions. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
    let equal = 0;
    for (let index = 0; index < a.length; index++) {
        if (a[index] === b[index])
            equal++;
    }
    return a.length === 0 ? 0 : equal / a.length;
}

/** 32-bit FNV-1a over the code points codes[start..end), each code point mixed in whole rather than byte by byte. */
function fnv1a(codes: readonly number[], start: number, end: number): number {
    let hash = 0x811C9DC5;
    for (let index = start; index < end; index++) {
        hash ^= codes[index]!;
        hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
}

/** MurmurHash3's 32-bit finaliser: mixes every input bit into every output bit. */
function fmix32(value: number): number {
    let hash = value >>> 0;
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85EBCA6B);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xC2B2AE35);
    hash ^= hash >>> 16;
    return hash >>> 0;
}

const seedCache = new Map<number, Uint32Array>();

/** Fixed seeds (not random), so signatures and therefore curation results are reproducible. */
function seedsFor(count: number): Uint32Array {
    let seeds = seedCache.get(count);
    if (seeds == null) {
        seeds = new Uint32Array(count);
        for (let index = 0; index < count; index++)
            seeds[index] = fmix32(Math.imul(index + 1, 0x9E3779B9));
        seedCache.set(count, seeds);
    }
    return seeds;
}
