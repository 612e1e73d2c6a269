import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { CorruptModelError, ModelTruncatedError } from "../../src/errors/modelErrors.js";
import { checkGgufLayout } from "../../src/model/checkGgufLayout.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";
import { mapGguf } from "./ggufSurgery.js";

// Damaged copies of the tiny model: each must be refused with a ReerError that says what is
// wrong, and the process must exit with the input-error code instead of dying on a signal.
const dir = mkdtempSync(path.join(tmpdir(), "reer-gguf-"));
const source = requireAsset(stories260kPath);
const original = mapGguf(source);
const size = statSync(source).size;
// stories260K holds only F32 tensors (type 0): 4 bytes per element.
const f32Only = (type: number) => (type === 0 ? { blockSize: 1, typeSize: 4 } : undefined);

function copy(name: string, edit: (bytes: Buffer) => Buffer): string {
    const file = path.join(dir, name);
    writeFileSync(file, edit(Buffer.from(original.bytes)));
    return file;
}
const truncatedTo = (length: number) => (bytes: Buffer) => bytes.subarray(0, length);
const setU64 = (at: number, value: bigint) => (bytes: Buffer) => {
    bytes.writeBigUInt64LE(value, at);
    return bytes;
};

async function expectRefused(args: string[], ...phrases: (string | RegExp)[]): Promise<string> {
    const result = await runCli(args);
    expect(result.signal, result.stderr).toBeNull();
    expect(result.code, result.stderr).toBe(ExitCode.failure);
    for (const phrase of phrases)
        expect(result.stderr).toMatch(phrase);
    // Not the old misdiagnosis: llama is an architecture llama.cpp runs.
    expect(result.stderr).not.toContain("supported architecture");
    expect(result.stderr).not.toContain("cannot run");
    return result.stderr;
}

describe("damaged GGUF files are refused before llama.cpp reads them", () => {
    it("accepts the intact model and measures its tensor data to the last byte", async () => {
        const layout = await checkGgufLayout(source, f32Only);
        expect(layout.tensorCount).toBe(48);
        expect(layout.vocabularySize).toBe(512);
        expect(layout.dataEnd).toBe(size);
    });

    it("a file cut in its tensor data says it is truncated and how much is missing", async () => {
        const file = copy("cut-data.gguf", truncatedTo(600_000));
        await expectRefused(["inspect", file], "is truncated", `its 48 tensors need ${size} bytes, but the file has 600000 (${size - 600_000} bytes missing)`,
            "interrupted download");
    });

    it("a file cut in its metadata says it is truncated", async () => {
        const file = copy("cut-metadata.gguf", truncatedTo(9000));
        await expectRefused(["inspect", file], "is truncated", "tokenizer.ggml.token_type");
        const tiny = copy("cut-header.gguf", truncatedTo(300));
        await expect(checkGgufLayout(tiny, f32Only)).rejects.toThrow(ModelTruncatedError);
        await expect(checkGgufLayout(tiny, f32Only)).rejects.toThrow(/is truncated: its header declares 48 tensors, but the file ends \d+ bytes later, at byte 300/u);
    });

    it("a tensor count larger than the file can hold is a damaged header", async () => {
        const file = copy("tensor-count.gguf", setU64(original.tensorCountAt, 1n << 40n));
        await expectRefused(["inspect", file], "is a damaged GGUF file", `declares ${1n << 40n} tensors, more than the whole ${size}-byte file can hold`);
    });

    it("a metadata array longer than the file can hold is a damaged header", async () => {
        const tokens = original.entries.get("tokenizer.ggml.tokens")!;
        const file = copy("array-length.gguf", setU64(tokens.arrayLengthAt!, 1n << 40n));
        await expectRefused(["inspect", file], "is a damaged GGUF file", `the metadata array "tokenizer.ggml.tokens" declares ${1n << 40n} items`);
    });

    it("tensor data said to start past the end of the file is refused", async () => {
        const last = original.tensors.at(-1)!;
        const file = copy("offset.gguf", setU64(last.offsetFieldAt, last.offset + 10_000_000n));
        await expectRefused(["inspect", file], "is a damaged GGUF file", `tensor "${last.name}" says its data starts at byte`, "past the end of the");
        await expect(checkGgufLayout(file, f32Only)).rejects.toThrow(CorruptModelError);
    });

    it("tensor offsets that contradict the tensor sizes are refused", async () => {
        const second = original.tensors[1]!;
        const file = copy("overlap.gguf", setU64(second.offsetFieldAt, second.offset - 32n));
        await expect(checkGgufLayout(file, f32Only)).rejects.toThrow(`tensor "${second.name}" says its data starts at byte`);
    });

    it("a vocabulary with duplicate token texts (llama.cpp asserts on it) is refused, even where only the vocabulary is loaded", async () => {
        const tokens = original.entries.get("tokenizer.ggml.tokens")!;
        // Token 4 is "<0x01>"; make it a second "<0x00>" (same length, so nothing else moves).
        const file = copy("duplicate-token.gguf", (bytes) => {
            bytes.write("<0x00>", tokens.stringItemsAt![4]! + 8, "utf8");
            return bytes;
        });
        const emptyTrace = path.join(dir, "empty.trace.jsonl");
        writeFileSync(emptyTrace, "");
        await expectRefused(["stats", emptyTrace, "--model", file], "is a damaged GGUF file", `duplicate token text(s)`, `"<0x00>" (ids 3 and 4)`);
        const input = path.join(dir, "pair.jsonl");
        writeFileSync(input, JSON.stringify({ prompt: "Tell a story.", response: "Once upon a time." }) + "\n");
        await expectRefused(["score", input, "--model", file, "--template", "none", "--threads", "1"], "duplicate token text(s)");
    });
});
