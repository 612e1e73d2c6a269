import type { Command } from "commander";
import type { GpuChoice } from "../engine/LlamaRuntime.js";
import { LoadedModel } from "../model/LoadedModel.js";
import { resolveModelPath } from "../model/resolveModelPath.js";
import type { KvCacheType } from "../scoring/Scorer.js";
import { gpuChoice, gpuLayers, kvCacheType, positiveInteger } from "./parseOptions.js";

/** The model and engine flags shared by every command that loads a model. */
export type EngineFlags = {
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

export function addEngineOptions(command: Command): Command {
    return command
        .option("-m, --model <model>",
            "GGUF model: a file path, hf:<user>/<repo>/<file>.gguf, or an https:// URL (downloaded into --models-dir); default $REER_MODEL")
        .option("--model-sha256 <hex>", "expected sha256 of the model file, checked before use")
        .option("--models-dir <dir>", "where downloaded models are stored", "models")
        .option("-t, --threads <n>", "CPU threads (default: physical cores)", positiveInteger)
        .option("--gpu <backend>", "auto | off | cuda | vulkan | metal", gpuChoice, "auto")
        .option("--gpu-layers <n>", "layers to offload: auto, max or a count", gpuLayers)
        .option("--context-size <n>", "cap on the context size (default: the model's training context); the context is sized to the longest input", positiveInteger)
        .option("--batch-size <n>", "tokens per decode batch (default: min(512, context size))", positiveInteger)
        .option("--flash-attention", "enable flash attention (faster on some GPUs; CPU scores then depend on batch splits)", false)
        .option("--kv-cache-type <type>", "KV cache precision: F32 (exact, default), F16 or Q8_0", kvCacheType, "F32");
}

export async function loadModelFromFlags(flags: EngineFlags): Promise<LoadedModel> {
    const modelPath = await resolveModelPath(flags.model, {
        modelsDir: flags.modelsDir,
        ...(flags.modelSha256 == null ? {} : { sha256: flags.modelSha256 })
    });
    return await LoadedModel.load(modelPath, {
        gpu: flags.gpu,
        ...(flags.gpuLayers == null ? {} : { gpuLayers: flags.gpuLayers })
    });
}

/** Threads default to the physical cores llama.cpp finds useful for maths. */
export function resolveThreads(flags: EngineFlags, model: LoadedModel): number {
    return flags.threads ?? Math.max(1, model.runtime.llama.cpuMathCores);
}
