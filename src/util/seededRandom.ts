import { createHash } from "node:crypto";

/** A 32-bit seed derived from any parts: the same parts give the same seed on every machine. */
export function deriveSeed(...parts: (string | number)[]): number {
    return createHash("sha256").update(parts.map(String).join("\u0001")).digest().readUInt32LE(0);
}

/** mulberry32: small, fast and good enough for choosing openers; deterministic per seed. */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Draws one item with probability proportional to its weight. */
export function weightedChoice<T extends { weight: number }>(items: readonly T[], random: () => number): T {
    const total = items.reduce((sum, item) => sum + item.weight, 0);
    let point = random() * total;
    for (const item of items) {
        point -= item.weight;
        if (point < 0)
            return item;
    }
    return items[items.length - 1]!;
}
