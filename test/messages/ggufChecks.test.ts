import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { ExitCode } from "../../src/cli/exitCodes.js";
import { CorruptModelError, ModelTruncatedError } from "../../src/errors/modelErrors.js";
import { checkGgufLayout } from "../../src/model/checkGgufLayout.js";
import { gguf, GgufValueType, type GgufMalformations, type GgufValue } from "../../scripts/gguf/GgufWriter.js";
import { copyGguf } from "../support/copyGguf.js";
import { runCli } from "../support/runCli.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

// Damaged copies of the tiny model, written by reer's GGUF writer: each must be refused with a
// ReerError that says what is wrong, and the process must exit with the input-error code
// instead of dying on a signal.
const dir = mkdtempSync(path.join(tmpdir(), "reer-gguf-"));
const source = requireAsset(stories260kPath);
const size = statSync(source).size;
// Where the parts of an intact copy lie, to aim the damage.
const intact = await copyGguf(source, path.join(dir, "intact.gguf"));
// stories260K holds only F32 tensors (type 0): 4 bytes per element.
const f32Only = (type: number) => (type === 0 ? { blockSize: 1, typeSize: 4 } : undefined);

async function copy(name: string, malformed: GgufMalformations, metadata: Record<string, GgufValue> = {}): Promise<string> {
    const file = path.join(dir, name);
    await copyGguf(source, file, { malformed, metadata });
    return file;
}

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
        const { layout } = await checkGgufLayout(source, f32Only);
        expect(layout.tensorCount).toBe(48);
        expect(layout.vocabularySize).toBe(512);
        expect(layout.dataEnd).toBe(size);
    });

    it("a file cut in its tensor data says it is truncated and how much is missing", async () => {
        const file = await copy("cut-data.gguf", { cutAt: 600_000 });
        await expectRefused(["inspect", file], "is truncated", `its 48 tensors need ${size} bytes, but the file has 600000 (${size - 600_000} bytes missing)`,
            "interrupted download");
    });

    it("a file cut in its metadata says it is truncated", async () => {
        const file = await copy("cut-metadata.gguf", { cutAt: intact.entryOffsets.get("tokenizer.ggml.token_type")! + 100 });
        await expectRefused(["inspect", file], "is truncated", "tokenizer.ggml.token_type");
        const tiny = await copy("cut-header.gguf", { cutAt: 300 });
        await expect(checkGgufLayout(tiny, f32Only)).rejects.toThrow(ModelTruncatedError);
        await expect(checkGgufLayout(tiny, f32Only)).rejects.toThrow(/is truncated: its header declares 48 tensors, but the file ends \d+ bytes later, at byte 300/u);
    });

    it("a tensor count larger than the file can hold is a damaged header", async () => {
        const file = await copy("tensor-count.gguf", { tensorCount: 1n << 40n });
        await expectRefused(["inspect", file], "is a damaged GGUF file", `declares ${1n << 40n} tensors, more than the whole ${size}-byte file can hold`);
    });

    it("a metadata array longer than the file can hold is a damaged header", async () => {
        const file = await copy("array-length.gguf", { arrayLengths: { "tokenizer.ggml.tokens": 1n << 40n } });
        await expectRefused(["inspect", file], "is a damaged GGUF file", `the metadata array "tokenizer.ggml.tokens" declares ${1n << 40n} items`);
    });

    it("tensor data said to start past the end of the file is refused", async () => {
        const last = intact.tensors.at(-1)!;
        const file = await copy("offset.gguf", { tensorOffsets: { [last.name]: BigInt(last.offset) + 10_000_000n } });
        await expectRefused(["inspect", file], "is a damaged GGUF file", `tensor "${last.name}" says its data starts at byte`, "past the end of the");
        await expect(checkGgufLayout(file, f32Only)).rejects.toThrow(CorruptModelError);
    });

    it("tensor offsets that contradict the tensor sizes are refused", async () => {
        const second = intact.tensors[1]!;
        const file = await copy("overlap.gguf", { tensorOffsets: { [second.name]: BigInt(second.offset) - 32n } });
        await expect(checkGgufLayout(file, f32Only)).rejects.toThrow(`tensor "${second.name}" says its data starts at byte`);
    });

    it("a vocabulary with duplicate token texts (llama.cpp asserts on it) is refused, even where only the vocabulary is loaded", async () => {
        const tokens = (await readGgufFileInfo(source)).metadata.tokenizer.ggml.tokens;
        // Token 4 is "<0x01>"; make it a second "<0x00>".
        const duplicated = tokens.map((token, id) => (id === 4 ? "<0x00>" : token));
        const file = await copy("duplicate-token.gguf", { uncheckedVocabulary: true },
            { "tokenizer.ggml.tokens": gguf.array(GgufValueType.STRING, duplicated) });
        const emptyTrace = path.join(dir, "empty.trace.jsonl");
        writeFileSync(emptyTrace, "");
        await expectRefused(["stats", emptyTrace, "--model", file], "is a damaged GGUF file", `duplicate token text(s)`, `"<0x00>" (ids 3 and 4)`);
        const input = path.join(dir, "pair.jsonl");
        writeFileSync(input, JSON.stringify({ prompt: "Tell a story.", response: "Once upon a time." }) + "\n");
        await expectRefused(["score", input, "--model", file, "--template", "none", "--threads", "1"], "duplicate token text(s)");
    });
});
