// native/ReerVectorMath.cpp, compiled into a test harness for every implementation this CPU
// runs. Its exp terms must be exactly the C library's expf (the scalar loop's own, so scores
// stay what they were), the sampler's float ones within 2 ulp of them, and max, sums and
// buckets must agree with a float64 computation here.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seededNormals } from "./harness/seededNormals.js";
import { compileHarness, hasCompiler, runHarness } from "./harness/compileHarness.js";

const kinds = ["avx512", "avx2", "generic"] as const;

function row(n: number, spread: number, seed: number, edit?: (values: Float32Array) => void): Float32Array {
    const next = seededNormals(seed);
    const values = Float32Array.from({ length: n }, () => next() * spread);
    edit?.(values);
    return values;
}

const rows: Float32Array[] = [
    row(151_936, 0.6, 1),
    row(262_144, 3, 2, (values) => {
        for (let k = 0; k < 20; k++) values[(k * 7919) % values.length] = 25 + k;
    }),
    row(49_152, 5, 3, (values) => values.fill(-Infinity, 100, 30_000)),
    row(1, 1, 4),
    row(15, 1, 5),
    row(17, 2, 6),
    row(1000, 40, 7)
];

function writeRows(file: string): void {
    const parts: Buffer[] = [Buffer.from(Int32Array.of(rows.length).buffer)];
    for (const values of rows) parts.push(Buffer.from(Int32Array.of(values.length).buffer), Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    writeFileSync(file, Buffer.concat(parts));
}

describe.skipIf(!hasCompiler)("native/ReerVectorMath.cpp", () => {
    let harness: string;
    const rowsFile = path.join(tmpdir(), `reer-vector-rows-${process.pid}.bin`);
    beforeAll(() => {
        harness = compileHarness("vectorMath.cpp", ["ReerVectorMath.cpp"]);
        writeRows(rowsFile);
        return () => rmSync(rowsFile, { force: true });
    });

    for (const kind of kinds) {
        it(`${kind}: every term is the C library's expf, over every 23rd float in [-110, 0] and the edge cases`, (context) => {
            const output = runHarness(harness, ["exp", kind, "23"]);
            if (output.startsWith("unsupported")) context.skip();
            expect(output).toContain(`kind ${kind}`);
            const match = /checked (\d+) differing (\d+) nan (\d)/u.exec(output);
            expect(match, output).not.toBeNull();
            expect(Number(match![1])).toBeGreaterThan(45_000_000);
            expect(Number(match![2]), output).toBe(0);
            expect(match![3]).toBe("1");
        });

        it(`${kind}: the sampler's float exp is within 2 ulp of the C library's expf and 0 below -87`, (context) => {
            const output = runHarness(harness, ["float", kind, "23"]);
            if (output.startsWith("unsupported")) context.skip();
            const match = /checked (\d+) worst (\d+) below (\d+)/u.exec(output);
            expect(match, output).not.toBeNull();
            expect(Number(match![1])).toBeGreaterThan(45_000_000);
            expect(Number(match![2])).toBeLessThanOrEqual(2);
            expect(Number(match![3])).toBe(0);
        });

        it(`${kind}: max, sum of terms and buckets below the max agree with a float64 computation`, (context) => {
            const output = runHarness(harness, ["rows", kind, rowsFile]);
            if (output.startsWith("unsupported")) context.skip();
            const lines = output.trim().split("\n").slice(1);
            expect(lines).toHaveLength(rows.length);
            lines.forEach((line, index) => {
                const values = rows[index]!;
                const [max, sum, ...buckets] = line.split(" ").map(Number);
                let expectedMax = -Infinity;
                for (const value of values) expectedMax = Math.max(expectedMax, value);
                expect(Math.fround(max!)).toBe(expectedMax);
                let expectedSum = 0;
                for (const value of values) expectedSum += Math.fround(Math.exp(Math.fround(value - expectedMax)));
                // The C library's expf rounds about one term in 2000 to the other neighbour; a
                // term left out or counted twice would move the sum by far more.
                expect(Math.abs(sum! - expectedSum)).toBeLessThanOrEqual(1e-7 * expectedSum);
                const expectedBuckets = Array.from(values, (value) => Math.min(8191, Math.floor(Math.fround(Math.fround(expectedMax - value) * 128))));
                expect(buckets).toEqual(expectedBuckets);
            });
        });
    }
});
