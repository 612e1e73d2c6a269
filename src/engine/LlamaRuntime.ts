import { getLlama, LlamaLogLevel, LlamaLogLevelGreaterThanOrEqual, type Llama, type LlamaGpuType } from "node-llama-cpp";
import { ReerError } from "../errors/ReerError.js";
import { getNativeSequenceCopy, getNativeTokenLogprobs, type NativeSequenceCopy, type NativeTokenLogprobs } from "./nodeLlamaInternals.js";

export type GpuChoice = "auto" | "off" | "cuda" | "vulkan" | "metal";
export const gpuChoices: readonly GpuChoice[] = ["auto", "off", "cuda", "vulkan", "metal"];

export type RuntimeOptions = {
    gpu?: GpuChoice;
    /** Print llama.cpp's own log lines at this level and above (default: $REER_LLAMA_LOG, else fatal only). */
    logLevel?: LlamaLogLevel;
};

/**
 * One llama.cpp backend per process and GPU choice. Knows which of reer's native additions
 * (native/: exact fast scoring, sequence copies) the loaded binary has.
 */
export class LlamaRuntime {
    private static readonly instances = new Map<string, Promise<LlamaRuntime>>();

    /** llama.cpp's last error lines: its own errors say more than the exceptions that reach JS. */
    private static readonly recentErrorLines: string[] = [];

    private constructor(
        public readonly llama: Llama,
        public readonly gpuChoice: GpuChoice,
        public readonly nativeTokenLogprobs: NativeTokenLogprobs | undefined,
        public readonly nativeSequenceCopy: NativeSequenceCopy | undefined
    ) {}

    public static async get(options: RuntimeOptions = {}): Promise<LlamaRuntime> {
        const gpuChoice = options.gpu ?? "auto";
        const logLevel = options.logLevel ?? logLevelFromEnvironment();
        const key = `${gpuChoice}:${logLevel}`;
        let instance = LlamaRuntime.instances.get(key);
        if (instance == null) {
            instance = LlamaRuntime.create(gpuChoice, logLevel);
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
            llama = await getLlama({
                gpu,
                build: "never",
                progressLogs: false,
                // Errors are always captured; finer levels only when asked for.
                logLevel: LlamaLogLevelGreaterThanOrEqual(logLevel, LlamaLogLevel.warn) ? LlamaLogLevel.warn : logLevel,
                logger: (level, message) => LlamaRuntime.onLog(level, message, logLevel)
            });
        } catch (error) {
            throw new ReerError("BACKEND_UNAVAILABLE",
                `Could not load a llama.cpp backend for --gpu ${gpuChoice}: ${error instanceof Error ? error.message : String(error)}`,
                gpuChoice === "auto" || gpuChoice === "off"
                    ? "Reinstall with `npm ci` (it builds the backend offline)."
                    : `Use --gpu auto or --gpu off, or build the ${gpuChoice} backend with REER_NATIVE_GPU=${gpuChoice} npm run build:native.`);
        }
        return new LlamaRuntime(llama, gpuChoice, getNativeTokenLogprobs(llama), getNativeSequenceCopy(llama));
    }

    private static onLog(level: LlamaLogLevel, message: string, printLevel: LlamaLogLevel): void {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
            LlamaRuntime.recentErrorLines.push(message.trim());
            LlamaRuntime.recentErrorLines.splice(0, Math.max(0, LlamaRuntime.recentErrorLines.length - 8));
        }
        if (LlamaLogLevelGreaterThanOrEqual(level, printLevel))
            process.stderr.write(`[llama.cpp] ${message.trimEnd()}\n`);
    }

    /** Takes (and clears) the error lines llama.cpp logged since the last call. */
    public takeErrorLog(): string[] {
        return LlamaRuntime.recentErrorLines.splice(0);
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

/** llama.cpp's errors are folded into reer's own messages, so by default only fatal lines print. */
function logLevelFromEnvironment(): LlamaLogLevel {
    const wanted = process.env.REER_LLAMA_LOG;
    return (Object.values(LlamaLogLevel) as string[]).includes(wanted ?? "") ? wanted as LlamaLogLevel : LlamaLogLevel.fatal;
}
