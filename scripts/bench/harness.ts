/**
 * What every benchmark shares: the model flags (a path or a catalogue name, threads, GPU),
 * the shared sample pairs and a timer. Each bench file then holds
 * only what it measures. Every figure a bench reports is a ratio of two timings taken in
 * the same run, so a noisy machine moves both sides alike.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

const SIGNAL_EXIT_CODES: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };
/** The reer runs in flight, and the signal that stopped the bench, if one did. */
const running = new Set<ChildProcess>();
let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
const stopRuns = (signal: "SIGINT" | "SIGTERM") => {
    stoppedBy ??= signal;
    for (const child of running)
        child.kill(signal);
};
const onInt = () => stopRuns("SIGINT");
const onTerm = () => stopRuns("SIGTERM");

/**
 * Runs the reer CLI (from source) as a child and resolves with its stdout when captured.
 * Each child has its own process group, and the bench forwards SIGINT and SIGTERM to every
 * run in flight once, so stopping the bench stops its runs as reer stops (finished items
 * kept) instead of leaving them running; when the last has ended the bench exits as the
 * signal says. Exit codes in `okCodes` count as success (3: some items failed, which the
 * tables show).
 */
export async function runReer(cliArgs: string[], options: { capture?: boolean; okCodes?: number[] } = {}): Promise<string> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src", "cli", "cli.ts"), ...cliArgs],
        { cwd: repoRoot, stdio: ["ignore", options.capture === true ? "pipe" : "inherit", "inherit"], detached: true });
    if (running.size === 0) {
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
    }
    running.add(child);
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.on("error", reject);
        child.on("close", (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    }).finally(() => {
        running.delete(child);
        if (running.size === 0) {
            process.off("SIGINT", onInt);
            process.off("SIGTERM", onTerm);
        }
    });
    if (stoppedBy != null) {
        process.stderr.write(`bench stopped by ${stoppedBy}; reer ${cliArgs[0]} ended with ${code ?? signal}\n`);
        if (running.size === 0)
            process.exit(SIGNAL_EXIT_CODES[stoppedBy]);
        // Another run is still stopping; the last one to end exits the bench.
        return new Promise<string>(() => undefined);
    }
    if (code == null || !(options.okCodes ?? [0]).includes(code))
        throw new Error(`reer ${cliArgs[0]} exited with ${code ?? signal}`);
    return Buffer.concat(chunks).toString("utf8");
}

/**
 * Writes the first `limit` lines of a pairs file (all without a limit) to
 * `<outDir>/pairs-<n>.jsonl`, the input of a bench's synthesize runs, and returns its path
 * and the ids it holds (a resumed output may hold more items than this run asks for).
 */
export function writeBenchInput(pairsFile: string, outDir: string, limit?: string): { input: string; ids: Set<string> } {
    mkdirSync(outDir, { recursive: true });
    const lines = readFileSync(pairsFile, "utf8").split("\n").filter((line) => line.trim() !== "");
    const chosen = limit == null ? lines : lines.slice(0, Number(limit));
    const input = path.join(outDir, `pairs-${chosen.length}.jsonl`);
    writeFileSync(input, chosen.join("\n") + "\n");
    return { input, ids: new Set(chosen.map((line) => String((JSON.parse(line) as { id: unknown }).id))) };
}
