import type { LlamaContext } from "node-llama-cpp";
import { contextOverflowHint } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { scoringBatchCap, SCORING_MAX_BATCH, vocabularySize } from "./logitsMemory.js";
import { PAPER_CLIP_FLOOR } from "./scoreAggregates.js";
import { TokenScorer, type ScoringPath } from "./TokenScorer.js";

export type KvCacheType = "F32" | "F16" | "Q8_0";

export type ScoringContextOptions = {
    /** CPU threads for this context; pass it always (llama.cpp's default oversubscribes small machines). */
    threads: number;
    /** Longest context + scored sequence this scorer must hold; capped by `maxContextSize`. */
    tokensNeeded: number;
    /** Upper bound for the context size (default: the model's training context). */
    maxContextSize?: number;
    /** Independent sequences, one per concurrent worker (default 1). */
    sequences?: number;
    /** Tokens per decode (default 512); capped so that the logits held at once stay within 256 MiB (see logitsMemory.ts). */
    batchSize?: number;
    /** Off by default: with it on, CPU scores depend on how tokens fall into decode batches. */
    flashAttention?: boolean;
    /** F32 by default: an F16 cache moves per-token log-probabilities by up to ~4e-2 nats. */
    kvCacheType?: KvCacheType;
    clipFloor?: number;
    /** Force a scoring path (tests and benchmarks); by default the fast one when present. */
    path?: ScoringPath;
};

/** A scoring context on a loaded model, with one TokenScorer per sequence. */
export class ScoringContext {
    private constructor(public readonly context: LlamaContext, public readonly scorers: TokenScorer[]) {}

    public static async create(model: LoadedModel, options: ScoringContextOptions): Promise<ScoringContext> {
        const cap = options.maxContextSize ?? model.trainContextSize;
        if (options.tokensNeeded > cap)
            throw new ReerError("CONTEXT_OVERFLOW", `The longest input needs ${options.tokensNeeded} tokens but the context is capped at ${cap}.`,
                contextOverflowHint(cap, model.trainContextSize));
        // Round up so small differences between runs do not change the allocation.
        const contextSize = Math.min(cap, Math.max(64, Math.ceil(options.tokensNeeded / 64) * 64));
        const sequences = options.sequences ?? 1;
        const kvCacheType = options.kvCacheType ?? "F32";
        const context = await model.createContext({
            contextSize,
            sequences,
            threads: options.threads,
            // An unknown vocabulary is taken as a large one.
            batchSize: Math.min(options.batchSize ?? SCORING_MAX_BATCH, contextSize, scoringBatchCap(vocabularySize(model.model) ?? 262_144)),
            flashAttention: options.flashAttention ?? false,
            experimentalKvCacheKeyType: kvCacheType,
            experimentalKvCacheValueType: kvCacheType
        });
        const native = model.runtime.nativeTokenLogprobs;
        const scorers = Array.from({ length: sequences }, () =>
            new TokenScorer(context.getSequence(), native, options.clipFloor ?? PAPER_CLIP_FLOOR, options.path));
        return new ScoringContext(context, scorers);
    }

    public get contextSize(): number {
        return this.context.contextSize;
    }

    public async dispose(): Promise<void> {
        await this.context.dispose();
    }
}
