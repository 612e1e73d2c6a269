// native/ReerSamplerTopP.cpp (the top-p node-llama-cpp's sampler uses, see
// native/sampler-top-p.patch), compiled into a test harness and checked against a float64
// nucleus computed here: the same tokens, each with its probability, and llama.cpp's order
// (larger logit first) whenever the sampler says the result is sorted.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seededNormals } from "./harness/seededNormals.js";
import { compileHarness, hasCompiler, llamaHeaders, runHarness } from "./harness/compileHarness.js";

type Case = { name: string; p: number; minKeep: number; sorted: boolean; ids: number[]; logits: Float32Array };
type Result = { kept: number[]; probabilities: number[]; sorted: boolean; repeatable: boolean };

function vocabulary(name: string, n: number, spread: number, seed: number, options: Partial<Case> & { edit?: (logits: Float32Array) => void } = {}): Case {
    const next = seededNormals(seed);
    const logits = Float32Array.from({ length: n }, () => next() * spread);
    options.edit?.(logits);
    return { name, p: options.p ?? 0.85, minKeep: options.minKeep ?? 1, sorted: false, ids: Array.from({ length: n }, (_, id) => id), logits };
}

/** llama.cpp's order: larger logit first; ties by token id. */
const order = (c: Pick<Case, "ids" | "logits">) => c.ids.map((_, i) => i).sort((a, b) => (c.logits[b]! - c.logits[a]!) || (c.ids[a]! - c.ids[b]!));

/** The head of a sorted top-k (as a top-k sampler before top-p leaves it). */
function sortedTopK(name: string, k: number, seed: number): Case {
    const whole = vocabulary(name, 5000, 2, seed);
    const head = order(whole).slice(0, k);
    return { ...whole, sorted: true, ids: head.map((i) => whole.ids[i]!), logits: Float32Array.from(head, (i) => whole.logits[i]!) };
}

const cases: Case[] = [
    vocabulary("flat, 151,936 tokens (a nucleus of most of them, left unsorted)", 151_936, 0.6, 1),
    vocabulary("flat, 20,000 tokens", 20_000, 0.6, 2),
    vocabulary("a nucleus of a few thousand tokens (sorted)", 20_000, 2, 3),
    vocabulary("peaked, 262,144 tokens", 262_144, 2, 4, { edit: (logits) => { for (let k = 0; k < 12; k++) logits[(k * 104_729) % logits.length] = 14 + k / 3; } }),
    // Too little mass near the top for the first pass: the buckets decide.
    vocabulary("a few likely tokens over a heavy tail", 262_144, 0.3, 14, { edit: (logits) => { for (let k = 0; k < 5; k++) logits[k * 50_000] = 10; } }),
    vocabulary("512 tokens", 512, 1, 5),
    vocabulary("most tokens masked to -inf (a grammar)", 50_000, 3, 6, { edit: (logits) => logits.fill(-Infinity, 1000) }),
    vocabulary("many tied logits", 30_000, 1, 7, { edit: (logits) => logits.forEach((value, i) => { logits[i] = Math.round(value * 4) / 4; }) }),
    vocabulary("large logits", 40_000, 4, 8, { edit: (logits) => logits.forEach((value, i) => { logits[i] = value + 60; }) }),
    sortedTopK("sorted input (a top-k of 40 before it)", 40, 9),
    vocabulary("min keep 5 on a peaked row", 10_000, 1, 10, { minKeep: 5, edit: (logits) => { logits[77] = 40; } }),
    vocabulary("p = 0 keeps the most likely token", 10_000, 1, 11, { p: 0 }),
    vocabulary("p = 0.999", 10_000, 1, 12, { p: 0.999 }),
    vocabulary("one token", 1, 1, 13)
];

function writeCases(file: string): void {
    const parts: Buffer[] = [Buffer.from(Int32Array.of(cases.length).buffer)];
    for (const c of cases) {
        parts.push(Buffer.from(Float32Array.of(c.p).buffer), Buffer.from(Int32Array.of(c.minKeep, c.sorted ? 1 : 0, c.ids.length).buffer));
        const pairs = Buffer.alloc(8 * c.ids.length);
        c.ids.forEach((id, i) => {
            pairs.writeInt32LE(id, 8 * i);
            pairs.writeFloatLE(c.logits[i]!, 8 * i + 4);
        });
        parts.push(pairs);
    }
    writeFileSync(file, Buffer.concat(parts));
}

function parse(line: string): Result {
    const [size, sorted, repeatable, ...tokens] = line.split(" ");
    const pairs = tokens.map((token) => token.split(":").map(Number) as [number, number]);
    expect(pairs).toHaveLength(Number(size));
    return { kept: pairs.map(([id]) => id), probabilities: pairs.map(([, p]) => p), sorted: sorted === "1", repeatable: repeatable === "1" };
}

/**
 * The nucleus in float64: llama.cpp's order, exp(logit - max) / sum (the difference taken in
 * float, as llama.cpp takes it), the shortest head holding p (and min keep).
 */
function oracle(c: Case): { kept: number[]; probability: Map<number, number> } {
    const sequence = c.sorted ? c.ids.map((_, i) => i) : order(c);
    const max = c.logits[sequence[0]!]!;
    const terms = sequence.map((i) => Math.exp(Math.fround(c.logits[i]! - max)));
    const total = terms.reduce((a, b) => a + b, 0);
    let running = 0;
    let kept = sequence.length;
    for (let k = 0; k < sequence.length; k++) {
        running += terms[k]!;
        if (running >= c.p * total && k + 1 >= c.minKeep) {
            kept = k + 1;
            break;
        }
    }
    const head = sequence.slice(0, kept);
    return { kept: head.map((i) => c.ids[i]!), probability: new Map(head.map((i, k) => [c.ids[i]!, terms[k]! / total])) };
}

const headersPresent = llamaHeaders.every((dir) => existsSync(path.join(dir, dir.endsWith("ggml/include") ? "ggml.h" : "llama.h")));

describe.skipIf(!hasCompiler || !headersPresent)("native/ReerSamplerTopP.cpp against a float64 nucleus", () => {
    const results: Result[] = [];
    beforeAll(() => {
        const harness = compileHarness("samplerTopP.cpp", ["ReerSamplerTopP.cpp", "ReerVectorMath.cpp"], llamaHeaders);
        const file = path.join(tmpdir(), `reer-top-p-cases-${process.pid}.bin`);
        try {
            writeCases(file);
            results.push(...runHarness(harness, [file]).trim().split("\n").map(parse));
        } finally {
            rmSync(file, { force: true });
        }
    });

    cases.forEach((c, index) => {
        it(c.name, () => {
            const result = results[index]!;
            const expected = oracle(c);
            expect(result.repeatable).toBe(true);
            expect([...result.kept].sort((a, b) => a - b)).toEqual([...expected.kept].sort((a, b) => a - b));
            if (result.sorted) expect(result.kept).toEqual(expected.kept);
            if (expected.kept.length < c.ids.length)
                result.kept.forEach((id, k) => expect(Math.abs(result.probabilities[k]! - expected.probability.get(id)!)).toBeLessThanOrEqual(1e-6 * expected.probability.get(id)! + 1e-30));
        });
    });

    it("leaves a large nucleus unsorted and sorts a small one", () => {
        expect(results[0]!.kept.length).toBeGreaterThan(4096);
        expect(results[0]!.sorted).toBe(false);
        expect(results[2]!.kept.length).toBeLessThanOrEqual(4096);
        expect(results[2]!.kept.length).toBeGreaterThan(1000);
        expect(results[2]!.sorted).toBe(true);
        expect(results[3]!.sorted).toBe(true);
    });
});
