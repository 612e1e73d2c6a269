import { Option, type Command } from "commander";
import type { GpuChoice } from "../runtime/LlamaRuntime.js";
import { ReerError } from "../errors/ReerError.js";
import path from "node:path";
import { LoadedModel, type ModelLoadOptions } from "../model/LoadedModel.js";
import { resolveModelPath } from "../model/resolveModelPath.js";
import type { KvCacheType } from "../scoring/ScoringContext.js";
import { gpuChoice, gpuLayers, kvCacheType, positiveInteger } from "./parseOptions.js";

/** The model and llama.cpp flags shared by every command that loads a model. */
export type ModelFlags = {
    model?: string;
    modelSha256?: string;
    modelsDir: string;
    threads?: number;
    gpu: GpuChoice;
    gpuLayers?: "auto" | "max" | number;
    contextSize?: number;
    batchSize?: number;
    flashAttention: boolean;
    kvCacheType: KvCacheType;
};

/**
 * Adds the model flags; `contexts: false` leaves out the flags that only matter to a
 * command that evaluates text (inspect only reads the model).
 */
export function addModelOptions(command: Command, options: { contexts?: boolean } = {}): Command {
    command
        .addOption(new Option("-m, --model <model>",
            "GGUF model: a file path, hf:<user>/<repo>/<file>.gguf, or an https:// URL (downloaded into --models-dir)").default(undefined, "$REER_MODEL"))
        .option("--model-sha256 <hex>", "expected sha256 of the --model file, checked before use")
        .option("--models-dir <dir>", "where downloaded models are stored", "models")
        .option("--gpu <backend>", "auto | off | cuda | vulkan | metal", gpuChoice, "auto")
        .addOption(new Option("--gpu-layers <n>", "layers to offload: auto, max or a count").argParser(gpuLayers).default(undefined, "auto"));
    if (options.contexts === false)
        return command;
    return command
        .addOption(new Option("-t, --threads <n>", "CPU threads").argParser(positiveInteger).default(undefined, "physical cores"))
        .addOption(new Option("--context-size <n>", "cap on the context size; the context is sized to the longest input")
            .argParser(positiveInteger).default(undefined, "the model's training context"))
        .addOption(new Option("--batch-size <n>", "tokens per decode batch").argParser(positiveInteger).default(undefined, "min(512, context size)"))
        .option("--flash-attention", "enable flash attention (faster on some GPUs; CPU scores then depend on batch splits)", false)
        .option("--kv-cache-type <type>", "KV cache precision: F32 (exact), F16 or Q8_0", kvCacheType, "F32");
}

/** The model file `spec` names (default --model), downloaded and checked as the flags say. */
async function modelPathFromFlags(flags: ModelFlags, spec: string | undefined): Promise<string> {
    // --model-sha256 belongs to --model; a different --generator or --scorer file is not held to it.
    const checked = flags.modelSha256 != null && spec === flags.model;
    return path.resolve(await resolveModelPath(spec, {
        modelsDir: flags.modelsDir,
        ...(checked ? { sha256: flags.modelSha256! } : {})
    }));
}

function loadOptions(flags: ModelFlags, vocabOnly: boolean | undefined): ModelLoadOptions {
    return {
        gpu: flags.gpu,
        ...(flags.gpuLayers == null ? {} : { gpuLayers: flags.gpuLayers }),
        ...(vocabOnly === true ? { vocabOnly: true } : {})
    };
}

/** Loads `spec` (default --model) with the flags' backend settings. */
export async function loadModelFromFlags(flags: ModelFlags, spec: string | undefined = flags.model, options: { vocabOnly?: boolean } = {}): Promise<LoadedModel> {
    return await LoadedModel.load(await modelPathFromFlags(flags, spec), loadOptions(flags, options.vocabOnly));
}

/** The generator and the scorer of a run: one model loaded once when both roles name the same file. */
export type ModelPair = { generator: LoadedModel; scorer: LoadedModel; dispose(): Promise<void> };

export async function loadModelPair(flags: ModelFlags & { generator?: string; scorer?: string }, options: { vocabOnly?: boolean } = {}): Promise<ModelPair> {
    const generatorSpec = flags.generator ?? flags.model;
    const scorerSpec = flags.scorer ?? flags.model;
    if (generatorSpec == null && scorerSpec == null && process.env.REER_MODEL == null)
        throw new ReerError("NO_MODEL", "No model given.", "Pass --model (both roles), or --generator and --scorer. See models/README.md.");
    const generatorPath = await modelPathFromFlags(flags, generatorSpec);
    const scorerPath = scorerSpec === generatorSpec ? generatorPath : await modelPathFromFlags(flags, scorerSpec);
    const generator = await LoadedModel.load(generatorPath, loadOptions(flags, options.vocabOnly));
    let scorer = generator;
    try {
        if (scorerPath !== generatorPath)
            scorer = await LoadedModel.load(scorerPath, loadOptions(flags, options.vocabOnly));
    } catch (error) {
        await generator.dispose();
        throw error;
    }
    return {
        generator,
        scorer,
        dispose: async () => {
            if (scorer !== generator)
                await scorer.dispose();
            await generator.dispose();
        }
    };
}

/** Threads default to the physical cores llama.cpp finds useful for maths. */
export function resolveThreads(flags: ModelFlags, model: LoadedModel): number {
    return flags.threads ?? model.defaultThreads;
}

/** Printed when the loaded binary lacks reer's native scoring: what it costs and how to fix it. */
export const stockPathWarning =
    "note: this llama.cpp binary lacks reer's native scoring addition, so scores come from the exact stock path, " +
    "which builds a full probability map per scored token (~90 ms at a 150k vocabulary; `npm run bench:score` measured the fast path " +
    "about 9x faster on a 0.5B model). Run `npm run build:native` to build it.\n";
