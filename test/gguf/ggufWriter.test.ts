import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { readGgufStructure } from "../../src/model/gguf/readGgufStructure.js";
import { GgmlType, gguf, GgufValueType, GgufWriter, type GgufValue } from "../../scripts/gguf/GgufWriter.js";
import { float32ToFloat16Bits } from "../../scripts/gguf/tensorEncoding.js";
import { copyGguf } from "../support/copyGguf.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-gguf-writer-"));
const ones = (count: number) => () => [new Float32Array(count).fill(1)];

describe("the GGUF writer", () => {
    it("copies a real model byte for byte through reer's reader and writer", async () => {
        const source = requireAsset(stories260kPath);
        const copy = path.join(dir, "stories260K-copy.gguf");
        await copyGguf(source, copy);
        expect(readFileSync(copy).equals(readFileSync(source))).toBe(true);
    });

    it("writes every value type so that reer's reader gets it back with its type, in order", async () => {
        const values: [string, GgufValue][] = [
            ["a.u8", gguf.u8(255)], ["a.i8", gguf.i8(-128)], ["a.u16", gguf.u16(65535)], ["a.i16", gguf.i16(-32768)],
            ["a.u32", gguf.u32(4294967295)], ["a.i32", gguf.i32(-5)], ["a.f32", gguf.f32(0.5)], ["a.f64", gguf.f64(1 / 3)],
            ["a.u64", gguf.u64(1n << 63n)], ["a.i64", gguf.i64(-(1n << 62n))], ["a.bool", gguf.bool(true)], ["a.str", gguf.str("héllo")],
            ["a.list", gguf.array(GgufValueType.STRING, ["x", "", "zz"])], ["a.ints", gguf.array(GgufValueType.INT32, [1, -2, 3])]
        ];
        const file = path.join(dir, "types.gguf");
        const writer = new GgufWriter();
        for (const [key, value] of values)
            writer.set(key, value);
        writer.write(file);
        const { entries } = await readGgufStructure(file, { values: true });
        expect(entries.map(({ key, value }) => [key, value])).toEqual(values);
    });

    it("pads the header to the alignment only when tensor data follows, as llama.cpp writes vocabulary files", async () => {
        const bare = path.join(dir, "bare.gguf");
        new GgufWriter().set("general.architecture", gguf.str("llama")).write(bare);
        // The file ends where node-llama-cpp finds the metadata ending (69 bytes, not 96).
        expect(statSync(bare).size).toBe((await readGgufFileInfo(bare, { logWarnings: false })).metadataSize);

        const withTensor = path.join(dir, "tensor.gguf");
        const writer = new GgufWriter().set("general.alignment", gguf.u32(64)).addTensor({ name: "w", dims: [3], type: GgmlType.F32, data: ones(3) });
        writer.write(withTensor);
        const info = await readGgufFileInfo(withTensor, { logWarnings: false });
        expect(info.infoEndOffset! % 64).toBe(0);
        expect(statSync(withTensor).size).toBe(info.infoEndOffset! + 64);
    });

});

describe("the GGUF writer refuses", () => {
    it("what llama.cpp refuses, unless asked for a damaged file", () => {
        const vocabulary = (tokens: string[], scores: number[], writer = new GgufWriter()) => writer
            .set("tokenizer.ggml.tokens", gguf.array(GgufValueType.STRING, tokens))
            .set("tokenizer.ggml.scores", gguf.array(GgufValueType.FLOAT32, scores));
        expect(() => vocabulary(["a", "b", "a"], [0, 0, 0]).layout()).toThrow(`"a" (ids 0 and 2)`);
        expect(() => vocabulary(["a", "b", "c"], [0, 0]).layout()).toThrow("tokenizer.ggml.scores has 2 entries for 3 tokens");
        expect(() => vocabulary(["a", "a"], [0], new GgufWriter({ uncheckedVocabulary: true })).layout()).not.toThrow();
        expect(() => new GgufWriter().set("general.alignment", gguf.u32(48))).toThrow("not a power of 2");
        expect(() => new GgufWriter().set("general.alignment", gguf.u64(64n))).toThrow("reads it as a uint32");
        expect(() => new GgufWriter().addTensor({ name: "x".repeat(64), dims: [1], type: GgmlType.F32, data: ones(1) })).toThrow("64-byte name");
        expect(() => new GgufWriter().addTensor({ name: "w", dims: [1, 1, 1, 1, 1], type: GgmlType.F32, data: ones(1) })).toThrow("5 dimensions");
        expect(() => new GgufWriter().set("a.u8", gguf.u8(256)).layout()).toThrow("does not fit type UINT8");
    });

    it("tensor data of the wrong size", () => {
        const writer = new GgufWriter().addTensor({ name: "w", dims: [4], type: GgmlType.F32, data: ones(3) });
        expect(() => writer.write(path.join(dir, "short.gguf"))).toThrow("got 12 bytes of data, expected 16");
    });

});

describe("the tensor encodings", () => {
    it("round to f16 as ggml does: to nearest, ties to even, overflow to infinity", () => {
        expect(float32ToFloat16Bits(1)).toBe(0x3c00);
        expect(float32ToFloat16Bits(-2)).toBe(0xc000);
        expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
        expect(float32ToFloat16Bits(65520)).toBe(0x7c00);
        // 1 + 2^-11 lies halfway between 1 and the next f16 (1 + 2^-10): ties go to the even 1.
        expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
        expect(float32ToFloat16Bits(2 ** -24)).toBe(0x0001);
    });
});
