import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContextOverflowError, UnencodableTextError } from "../../src/errors/inputErrors.js";
import { ModelNotFoundError, ModelTruncatedError, NotGgufError, UnsupportedArchitectureError } from "../../src/errors/modelErrors.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { resolveModelPath } from "../../src/model/resolveModelPath.js";
import { scoreRecords } from "../../src/scoring/scoreRecords.js";
import { gguf, GgufWriter } from "../../scripts/gguf/GgufWriter.js";
import { copyGguf } from "../support/copyGguf.js";
import { requireAsset, stories260kPath, tinyStories656kPath } from "../support/sharedAssets.js";

const dir = mkdtempSync(path.join(tmpdir(), "reer-errors-"));

describe("model errors are reported, not crashed on", () => {
    it("names a missing file and says where to get a model", async () => {
        const missing = path.join(dir, "nope.gguf");
        const error = await resolveModelPath(missing).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ModelNotFoundError);
        expect((error as ModelNotFoundError).message).toContain(missing);
        expect((error as ModelNotFoundError).hint).toMatch(/huggingface\.co|hf:/);
    });

    it("refuses a file that is not GGUF", async () => {
        const file = path.join(dir, "notes.gguf");
        writeFileSync(file, "these are not weights\n");
        await expect(LoadedModel.load(file, { gpu: "off" })).rejects.toThrow(NotGgufError);
        await expect(LoadedModel.load(file, { gpu: "off" })).rejects.toThrow(/starts with "thes"/);
    });

    it("refuses a truncated GGUF", async () => {
        const file = path.join(dir, "truncated.gguf");
        await copyGguf(requireAsset(stories260kPath), file, { malformed: { cutAt: 300 } });
        await expect(LoadedModel.load(file, { gpu: "off" })).rejects.toThrow(ModelTruncatedError);
        await expect(LoadedModel.load(file, { gpu: "off" })).rejects.toThrow(/is truncated/);
    });

    it("reports an architecture llama.cpp cannot run", async () => {
        const file = path.join(dir, "unknown-arch.gguf");
        // No tensors: enough to reach llama.cpp's architecture check.
        new GgufWriter().set("general.architecture", gguf.str("reer-imaginary")).set("general.name", gguf.str("imaginary")).write(file);
        const error = await LoadedModel.load(file, { gpu: "off" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedArchitectureError);
        expect((error as Error).message).toContain("reer-imaginary");
    });
});

describe("input errors on real models", () => {
    let tiny: LoadedModel;
    beforeAll(async () => {
        tiny = await LoadedModel.load(requireAsset(tinyStories656kPath), { gpu: "off" });
    });
    afterAll(async () => {
        await tiny?.dispose();
    });

    it("refuses characters a vocabulary without byte fallback cannot encode, instead of aborting", () => {
        const call = () => tiny.tokenizeText("The fox (who was clever) said \u201chello\u201d.", "the response", true);
        expect(call).toThrow(UnencodableTextError);
        try {
            call();
        } catch (error) {
            expect((error as UnencodableTextError).characters).toEqual(["(", ")", "\u201c", "\u201d"]);
            expect((error as UnencodableTextError).message).toContain("U+0028");
        }
        // The process is still alive and the same model tokenises clean text.
        expect(tiny.tokenizeText("The fox said hello.", "the response", true).length).toBeGreaterThan(3);
    });

    it("reports text that cannot fit the context, naming the record", async () => {
        const model = await LoadedModel.load(requireAsset(stories260kPath), { gpu: "off" });
        try {
            const records = [{ line: 7, id: "long-one", prompt: "Tell a story.", response: "Once upon a time there was a cat. ".repeat(40) }];
            const error = await scoreRecords(model, records, { template: "none", threads: 1, maxContextSize: 128 }, () => undefined)
                .catch((e: unknown) => e);
            expect((error as Error).message).toMatch(/line 7 \(id long-one\).*needs \d+ tokens but the context holds 128/);
            expect((error as ContextOverflowError).code).toBe("CONTEXT_OVERFLOW");
        } finally {
            await model.dispose();
        }
    });
});
