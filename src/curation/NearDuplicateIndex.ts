import { signatureSimilarity } from "./minHash.js";

/**
 * Finds earlier signatures similar to a new one without comparing against all of them:
 * locality-sensitive hashing splits each signature into bands of equal rows, and only
 * items that agree on a whole band are compared. With 128 hashes in 32 bands of 4 rows,
 * a pair with Jaccard J becomes a candidate with probability 1 - (1 - J^4)^32: above 99%
 * from J = 0.6, about 87% at J = 0.5, so thresholds below 0.6 should use more bands.
 */
export class NearDuplicateIndex<Id> {
    private readonly signatures: Uint32Array[] = [];
    private readonly ids: Id[] = [];
    private readonly buckets = new Map<string, number[]>();
    private readonly rows: number;

    public constructor(private readonly bands: number, hashes: number) {
        if (hashes % bands !== 0)
            throw new RangeError(`hashes (${hashes}) must be a multiple of bands (${bands})`);
        this.rows = hashes / bands;
    }

    /** The most similar indexed item at or above the threshold, if any. */
    public findSimilar(signature: Uint32Array, threshold: number): { id: Id; similarity: number } | undefined {
        const seen = new Set<number>();
        let best: { id: Id; similarity: number } | undefined;
        for (const key of this.bandKeys(signature)) {
            for (const index of this.buckets.get(key) ?? []) {
                if (seen.has(index))
                    continue;
                seen.add(index);
                const similarity = signatureSimilarity(signature, this.signatures[index]!);
                if (similarity >= threshold && (best == null || similarity > best.similarity))
                    best = { id: this.ids[index]!, similarity };
            }
        }
        return best;
    }

    public add(id: Id, signature: Uint32Array): void {
        const index = this.signatures.length;
        this.signatures.push(signature);
        this.ids.push(id);
        for (const key of this.bandKeys(signature)) {
            const bucket = this.buckets.get(key);
            if (bucket == null)
                this.buckets.set(key, [index]);
            else
                bucket.push(index);
        }
    }

    private *bandKeys(signature: Uint32Array): Generator<string> {
        for (let band = 0; band < this.bands; band++)
            yield `${band}:${signature.subarray(band * this.rows, (band + 1) * this.rows).join(",")}`;
    }
}
