/**
 * What every benchmark shares: the model flags (a path or a catalogue name, threads, GPU),
 * the shared sample pairs and a timer. Each bench file then holds
 * only what it measures. Every figure a bench reports is a ratio of two timings taken in
 * the same run, so a noisy machine moves both sides alike.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { resolveModelPath } from "../../src/model/resolveModelPath.js";
import { gpuChoices, type GpuChoice } from "../../src/runtime/LlamaRuntime.js";

/** The 0.5B-shaped random-weight model `npm run bench:model` writes. */
export const BENCH_MODEL = "models/bench/qwen2.5-0.5b-shape-random-q8_0.gguf";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The shared sample pairs ($REER_SHARED_DIR, else ../shared next to the checkout). */
export const sharedPairsPath = (): string => path.join(process.env.REER_SHARED_DIR ?? path.join(repoRoot, "..", "shared"), "data", "reer-pairs.jsonl");

/** parseArgs options for the model under test; spread them into a bench's own. */
export const modelArgOptions = {
    model: { type: "string", default: BENCH_MODEL },
    threads: { type: "string" },
    gpu: { type: "string", default: "off" }
} as const;

export type ModelArgs = { model?: string | undefined; threads?: string | undefined; gpu?: string | undefined };

/**
 * Loads --model (a path, or a catalogue name such as smollm2-135m-instruct, pulled when
 * missing) on --gpu, with --threads or else llama.cpp's math cores.
 */
export async function loadBenchModel(args: ModelArgs, options: { vocabOnly?: boolean } = {}): Promise<{ model: LoadedModel; threads: number }> {
    const gpu = args.gpu ?? "off";
    if (!gpuChoices.includes(gpu as GpuChoice))
        throw new Error(`--gpu must be one of ${gpuChoices.join(", ")}, got ${gpu}`);
    const file = await resolveModelPath(args.model ?? BENCH_MODEL);
    const model = await LoadedModel.load(file, { gpu: gpu as GpuChoice, ...(options.vocabOnly === true ? { vocabOnly: true } : {}) });
    const threads = args.threads == null ? Math.max(1, model.runtime.llama.cpuMathCores) : Number(args.threads);
    return { model, threads };
}

export type BenchPair = { line: number; id: string; prompt: string; response: string };

/** The first `limit` pairs of a JSONL file of {id, prompt, response} (all of them without a limit). */
export function readBenchPairs(file: string = sharedPairsPath(), limit?: number): BenchPair[] {
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    return lines.slice(0, limit ?? lines.length).map((line, index) => {
        const pair = JSON.parse(line) as { id: string; prompt: string; response: string };
        return { line: index + 1, id: pair.id, prompt: pair.prompt, response: pair.response };
    });
}

/** Milliseconds `run` took, and what it returned. */
export async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
    const start = performance.now();
    const result = await run();
    return [performance.now() - start, result];
}
