import { getLlama, LlamaLogLevel, type Llama, type LlamaGpuType } from "node-llama-cpp";
import { ReerError } from "../errors/ReerError.js";
import { getNativeTokenLogprobs, type NativeTokenLogprobs } from "./nodeLlamaInternals.js";

export type GpuChoice = "auto" | "off" | "cuda" | "vulkan" | "metal";
export const gpuChoices: readonly GpuChoice[] = ["auto", "off", "cuda", "vulkan", "metal"];

export type RuntimeOptions = {
    gpu?: GpuChoice;
    /** Print llama.cpp's own log lines at this level and above (default: errors only). */
    logLevel?: LlamaLogLevel;
};

/**
 * One llama.cpp backend per process and GPU choice. Knows whether the exact fast scoring
 * addition (native/ReerTokenLogprobs.cpp) is present in the loaded binary.
 */
export class LlamaRuntime {
    private static readonly instances = new Map<string, Promise<LlamaRuntime>>();

    private constructor(
        public readonly llama: Llama,
        public readonly gpuChoice: GpuChoice,
        public readonly nativeTokenLogprobs: NativeTokenLogprobs | undefined
    ) {}

    public static async get(options: RuntimeOptions = {}): Promise<LlamaRuntime> {
        const gpuChoice = options.gpu ?? "auto";
        const key = `${gpuChoice}:${options.logLevel ?? LlamaLogLevel.error}`;
        let instance = LlamaRuntime.instances.get(key);
        if (instance == null) {
            instance = LlamaRuntime.create(gpuChoice, options.logLevel ?? LlamaLogLevel.error);
            LlamaRuntime.instances.set(key, instance);
            instance.catch(() => LlamaRuntime.instances.delete(key));
        }
        return await instance;
    }

    private static async create(gpuChoice: GpuChoice, logLevel: LlamaLogLevel): Promise<LlamaRuntime> {
        const gpu: LlamaGpuType | "auto" = gpuChoice === "off" ? false : gpuChoice;
        let llama: Llama;
        try {
            // build: "never" prefers the local build made by `npm ci` (with the fast scoring
            // addition) and otherwise takes the prebuilt binary; it never compiles at run time.
            llama = await getLlama({ gpu, build: "never", logLevel, progressLogs: false });
        } catch (error) {
            throw new ReerError("BACKEND_UNAVAILABLE",
                `Could not load a llama.cpp backend for --gpu ${gpuChoice}: ${error instanceof Error ? error.message : String(error)}`,
                gpuChoice === "auto" || gpuChoice === "off"
                    ? "Reinstall with `npm ci` (it builds the backend offline)."
                    : `Use --gpu auto or --gpu off, or build the ${gpuChoice} backend with REER_NATIVE_GPU=${gpuChoice} npm run build:native.`);
        }
        return new LlamaRuntime(llama, gpuChoice, getNativeTokenLogprobs(llama));
    }

    public get hasFastScoring(): boolean {
        return this.nativeTokenLogprobs != null;
    }

    /** Short human description: backend, build, fast path. */
    public describe(): string {
        const gpu = this.llama.gpu === false ? "cpu" : this.llama.gpu;
        return `backend ${gpu} (${this.llama.buildType}), fast exact scoring ${this.hasFastScoring ? "on" : "off (stock fallback)"}`;
    }
}
