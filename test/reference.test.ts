// Validates the float64 reference oracle (test/reference/) against node-llama-cpp's stock
// evaluation of stories260K, so later scorer tests can trust the oracle as ground truth.
// The engine runs with F32 KV cache and no flash attention, its most exact CPU path.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    getLlama, GgmlType, LlamaLogLevel,
    type ControlledEvaluateInputItem, type Llama, type LlamaContext, type LlamaModel, type Token
} from "node-llama-cpp";
import { gguf, GgufWriter } from "../scripts/gguf/GgufWriter.js";
import { GgufFile } from "./reference/GgufFile.js";
import { LlamaReferenceModel } from "./reference/LlamaReferenceModel.js";
import { requireAsset, samplePairsPath, stories260kPath, tinyStories656kPath } from "./support/sharedAssets.js";

// The engine computes in float32; the observed gap is ~5e-5, so 1e-3 leaves margin while
// still failing by orders of magnitude on a real modelling mistake (wrong RoPE gives ~10).
const LOGPROB_TOLERANCE = 1e-3;
const PROBABILITY_TOLERANCE = 1e-4;

type Case = {
    name: string;
    tokens: Token[];
    /** Index of the first token whose log-probability is compared. */
    start: number;
};

let llama: Llama;
let model: LlamaModel;
let context: LlamaContext;
let reference: LlamaReferenceModel;
const cases: Case[] = [];

beforeAll(async () => {
    const modelPath = requireAsset(stories260kPath);
    const pairs = readFileSync(requireAsset(samplePairsPath), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .slice(0, 2)
        .map((line) => JSON.parse(line) as { prompt: string; response: string });

    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    context = await model.createContext({
        contextSize: 1024,
        threads: 1,
        flashAttention: false,
        experimentalKvCacheKeyType: "F32",
        experimentalKvCacheValueType: "F32"
    });
    reference = await LlamaReferenceModel.load(modelPath);

    const bos = model.tokens.bos;
    if (bos == null)
        throw new Error("stories260K is expected to define a BOS token");

    // Case 1 scores every token after BOS (covers position 0). Case 2 scores only the
    // response after its prompt, the shape the scorer uses.
    const [first, second] = pairs;
    if (first === undefined || second === undefined)
        throw new Error(`${samplePairsPath} needs at least two pairs`);
    cases.push({
        name: "whole text from the first token",
        tokens: [bos, ...model.tokenize(`${first.prompt}\n${first.response}`)],
        start: 1
    });
    const prompt = [bos, ...model.tokenize(second.prompt)];
    cases.push({
        name: "response after its prompt",
        tokens: [...prompt, ...model.tokenize(second.response)],
        start: prompt.length
    });
});

afterAll(async () => {
    await context?.dispose();
    await model?.dispose();
    await llama?.dispose();
});

/** Next-token distributions from the engine for positions start-1 .. length-2. */
async function engineDistributions(tokens: Token[], start: number): Promise<Map<number, number>[]> {
    const sequence = context.getSequence();
    try {
        const input: ControlledEvaluateInputItem[] = tokens.map((token, i) =>
            i >= start - 1 && i < tokens.length - 1
                ? [token, { generateNext: { probabilities: true } }]
                : token
        );
        const output = await sequence.controlledEvaluate(input);
        const distributions: Map<number, number>[] = [];
        for (let i = start - 1; i < tokens.length - 1; i++) {
            const probabilities = output[i]?.next.probabilities;
            if (probabilities === undefined)
                throw new Error(`Engine returned no probabilities at position ${i}`);
            distributions.push(probabilities);
        }
        return distributions;
    } finally {
        sequence.dispose();
    }
}

describe("GgufFile", () => {
    it("decodes numeric metadata, and F32 tensors at the offsets node-llama-cpp reads", async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "reer-oracle-")), "f32.gguf");
        // 16 bytes of norm, then padding: the matrix starts at data offset 32, not 16.
        const norm = Float32Array.from([0.5, -1.25, 3, 1e-3]);
        const matrix = Float32Array.from({ length: 12 }, (_, i) => i / 7);
        new GgufWriter()
            .set("general.architecture", gguf.str("llama"))
            .set("llama.embedding_length", gguf.u32(4))
            .set("llama.context_length", gguf.u64(2048n))
            .addTensor({ name: "norm", dims: [4], type: GgmlType.F32, data: () => [norm] })
            .addTensor({ name: "matrix", dims: [4, 3], type: GgmlType.F32, data: () => [matrix] })
            .write(file);
        const read = await GgufFile.read(file);
        expect(read.getNumber("llama.embedding_length")).toBe(4);
        expect(read.getNumber("llama.context_length")).toBe(2048);
        expect(read.getNumber("llama.rope.freq_base", 10000)).toBe(10000);
        expect(() => read.getNumber("llama.block_count")).toThrow(/missing/);
        expect(read.getF32Tensor("norm")).toEqual({ dims: [4], data: Float64Array.from(norm) });
        expect(read.getF32Tensor("matrix")).toEqual({ dims: [4, 3], data: Float64Array.from(matrix) });
    });

    it("refuses quantised tensors and names missing ones", async () => {
        const quantised = await GgufFile.read(requireAsset(tinyStories656kPath));
        const q8 = [...quantised.tensors.values()].find((tensor) => tensor.ggmlType !== GgmlType.F32);
        expect(q8).toBeDefined();
        expect(() => quantised.getF32Tensor(q8!.name)).toThrow(/only F32/);
        expect(() => quantised.getF32Tensor("no.such.tensor")).toThrow(/missing/);
    });
});

describe("LlamaReferenceModel on stories260K", () => {
    it("reads the expected hyperparameters", () => {
        expect(reference.blockCount).toBe(5);
        expect(reference.embeddingLength).toBe(64);
        expect(reference.headCount).toBe(8);
        expect(reference.headCountKv).toBe(4);
        expect(reference.feedForwardLength).toBe(172);
        expect(reference.vocabSize).toBe(512);
    });

    it("produces log-softmax rows whose probabilities sum to 1", () => {
        const tokens = cases[0]!.tokens.slice(0, 64);
        const rows = reference.nextTokenLogprobs(tokens);
        expect(rows).toHaveLength(tokens.length);
        for (const row of rows) {
            expect(row).toHaveLength(reference.vocabSize);
            let sum = 0;
            for (const logprob of row)
                sum += Math.exp(logprob);
            expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-9);
        }
    });

    it("teacherForcedLogprobs picks the scored tokens out of nextTokenLogprobs", () => {
        const tokens = cases[1]!.tokens.slice(0, 40);
        const rows = reference.nextTokenLogprobs(tokens);
        const scored = reference.teacherForcedLogprobs(tokens, 10);
        expect(scored).toEqual(tokens.slice(10).map((token, k) => rows[9 + k]![token]));
        expect(() => reference.teacherForcedLogprobs(tokens, 0)).toThrow();
    });

    for (const index of [0, 1]) {
        it(`matches node-llama-cpp's exact path per token (case ${index + 1})`, async () => {
            const { name, tokens, start } = cases[index]!;
            const distributions = await engineDistributions(tokens, start);
            const oracle = reference.nextTokenLogprobs(tokens);

            let maxLogprobDiff = 0;
            let maxProbabilityDiff = 0;
            for (let j = start; j < tokens.length; j++) {
                const engine = distributions[j - start]!;
                const row = oracle[j - 1]!;

                // The scored token, compared in log space as the scorer will use it.
                const engineProbability = engine.get(tokens[j]!);
                expect(engineProbability, `token ${j}`).toBeGreaterThan(0);
                const diff = Math.abs(Math.log(engineProbability!) - row[tokens[j]!]!);
                maxLogprobDiff = Math.max(maxLogprobDiff, diff);

                // The whole distribution, compared in probability space (log space would
                // magnify float32 noise on tokens with negligible mass).
                expect(engine.size).toBe(reference.vocabSize);
                for (const [token, probability] of engine)
                    maxProbabilityDiff = Math.max(maxProbabilityDiff, Math.abs(probability - Math.exp(row[token]!)));
            }

            console.info(`[reference] ${name}: ${tokens.length} tokens, ${tokens.length - start} scored, ` +
                `max |dlogp| ${maxLogprobDiff.toExponential(2)}, max |dp| ${maxProbabilityDiff.toExponential(2)}`);
            expect(maxLogprobDiff).toBeLessThanOrEqual(LOGPROB_TOLERANCE);
            expect(maxProbabilityDiff).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
        });
    }
});
