import { getLlama, LlamaLogLevel, LlamaLogLevelGreaterThanOrEqual, type Llama, type LlamaGpuType } from "node-llama-cpp";
import { ReerError } from "../errors/ReerError.js";
import { decideFastPath, type Backend, type FastPathDecision } from "./fastPathPolicy.js";
import { describeNativeBuildState, nativeBuildState, type NativeBuildState } from "./nativeBuildState.js";
import { getNativeSequenceCopy, getNativeTokenLogprobs, readNativeBinaryFacts, type NativeSequenceCopy, type NativeTokenLogprobs } from "./nodeLlamaInternals.js";
import { shippedNativeVersion } from "./shippedNativeVersion.js";

export type GpuChoice = "auto" | "off" | "cuda" | "vulkan" | "metal";
export const gpuChoices: readonly GpuChoice[] = ["auto", "off", "cuda", "vulkan", "metal"];

export type RuntimeOptions = {
    gpu?: GpuChoice;
    /** Print llama.cpp's own log lines at this level and above (default: $REER_LLAMA_LOG, else fatal only). */
    logLevel?: LlamaLogLevel;
    /** Run a GPU backend whose binary lacks reer's fast path on the stock path instead of refusing (default: $REER_ALLOW_STOCK=1). */
    allowStockPath?: boolean;
};

/**
 * One llama.cpp backend per process and GPU choice. Knows which of reer's native additions
 * (native/: exact fast scoring, sequence copies) the loaded binary has, and uses them only
 * when the binary was built from this copy's native/ (see fastPathPolicy.ts).
 */
export class LlamaRuntime {
    private static readonly instances = new Map<string, Promise<LlamaRuntime>>();

    /** llama.cpp's last error lines: its own errors say more than the exceptions that reach JS. */
    private static readonly recentErrorLines: string[] = [];

    public readonly nativeTokenLogprobs: NativeTokenLogprobs | undefined;
    public readonly nativeSequenceCopy: NativeSequenceCopy | undefined;

    private constructor(
        public readonly llama: Llama,
        public readonly gpuChoice: GpuChoice,
        public readonly nativeState: NativeBuildState,
        public readonly fastPath: Exclude<FastPathDecision, { path: "refuse" }>
    ) {
        const trusted = fastPath.path === "fast";
        this.nativeTokenLogprobs = trusted ? getNativeTokenLogprobs(llama) : undefined;
        this.nativeSequenceCopy = trusted ? getNativeSequenceCopy(llama) : undefined;
    }

    public static async get(options: RuntimeOptions = {}): Promise<LlamaRuntime> {
        const gpuChoice = options.gpu ?? "auto";
        const logLevel = options.logLevel ?? logLevelFromEnvironment();
        const allowStock = options.allowStockPath ?? process.env.REER_ALLOW_STOCK === "1";
        const key = `${gpuChoice}:${logLevel}:${allowStock}`;
        let instance = LlamaRuntime.instances.get(key);
        if (instance == null) {
            instance = LlamaRuntime.create(gpuChoice, logLevel, allowStock);
            LlamaRuntime.instances.set(key, instance);
            instance.catch(() => LlamaRuntime.instances.delete(key));
        }
        return await instance;
    }

    private static async create(gpuChoice: GpuChoice, logLevel: LlamaLogLevel, allowStock: boolean): Promise<LlamaRuntime> {
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
        const nativeState = nativeBuildState(readNativeBinaryFacts(llama), shippedNativeVersion());
        const backend: Backend = llama.gpu === false ? "cpu" : llama.gpu;
        const decision = decideFastPath({ backend, buildType: llama.buildType, state: nativeState, allowStock });
        if (decision.path === "refuse") {
            await llama.dispose();
            throw new ReerError("NATIVE_FAST_PATH_MISSING", decision.message, decision.hint);
        }
        if (decision.path === "stock" && decision.warning != null)
            process.stderr.write(`${decision.warning}\n`);
        return new LlamaRuntime(llama, gpuChoice, nativeState, decision);
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

    /** Short human description: backend, which build (reer's local one or node-llama-cpp's prebuilt one), fast path. */
    public describe(): string {
        const gpu = this.llama.gpu === false ? "cpu" : this.llama.gpu;
        const build = this.llama.buildType === "localBuild" ? "local build" : "prebuilt";
        const scoring = this.hasFastScoring ? "on" : this.llama.gpu === false ? "off (stock fallback)" : "off (stock path allowed)";
        return `backend ${gpu} (${build}, ${describeNativeBuildState(this.nativeState)}), fast exact scoring ${scoring}`;
    }
}

/** llama.cpp's errors are folded into reer's own messages, so by default only fatal lines print. */
function logLevelFromEnvironment(): LlamaLogLevel {
    const wanted = process.env.REER_LLAMA_LOG;
    return (Object.values(LlamaLogLevel) as string[]).includes(wanted ?? "") ? wanted as LlamaLogLevel : LlamaLogLevel.fatal;
}
