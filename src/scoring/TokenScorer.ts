import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { ContextOverflowError } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";
import { decodeWithLogitReader, getAddonContext, type NativeTokenLogprobs } from "../runtime/nodeLlamaInternals.js";
import { throwIfAborted } from "../util/AbortedError.js";
import { vocabularySize } from "./logitsMemory.js";
import { aggregateLogprobs, PAPER_CLIP_FLOOR, type ScoreAggregates } from "./scoreAggregates.js";
import type { ScoringTokens } from "./ScoringTokens.js";

export type ScoringPath = "fast" | "stock";

export type TokenScores = ScoreAggregates & {
    /** log p(scoredTokens[i] | everything before it), natural log. */
    tokenLogprobs: Float64Array;
    /** Tokens decoded for this call. */
    evaluatedTokens: number;
    /** Tokens whose KV cache entries were kept from the previous call. */
    reusedTokens: number;
    path: ScoringPath;
};

export type ScoreCallOptions = {
    /**
     * A stop: the call throws AbortedError between decode batches, so a stop waits for one
     * batch, not for a whole long record. The KV cache then holds the batches decoded.
     */
    signal?: AbortSignal;
};

/** Bound on probability-map entries alive at once on the stock path (each map holds the whole vocabulary). */
const STOCK_MAP_ENTRY_BUDGET = 4_000_000;

/**
 * Teacher-forced scoring on one context sequence, reusing the KV cache of the longest
 * prefix shared with the previous call. Not safe for concurrent calls on the same
 * instance: give each worker its own sequence.
 */
export class TokenScorer {
    private busy = false;

    public constructor(
        private readonly sequence: LlamaContextSequence,
        private readonly nativeTokenLogprobs: NativeTokenLogprobs | undefined,
        private readonly clipFloor: number = PAPER_CLIP_FLOOR,
        private readonly forcePath?: ScoringPath
    ) {
        if (forcePath === "fast" && nativeTokenLogprobs == null)
            throw new ReerError("FAST_PATH_MISSING", "The fast scoring path was requested but this llama.cpp binary lacks it.",
                "Run `npm run build:native` (or a clean `npm ci`) to build it.");
    }

    public get path(): ScoringPath {
        return this.forcePath ?? (this.nativeTokenLogprobs != null ? "fast" : "stock");
    }

    /** Largest context + scored length this scorer accepts. */
    public get maxTokens(): number {
        // node-llama-cpp keeps one cell free; the last scored token itself is never decoded.
        return this.sequence.contextSize;
    }

    /** Forgets the KV cache, so the next call evaluates everything from scratch. */
    public async reset(): Promise<void> {
        await this.sequence.clearHistory();
    }

    public async score(input: ScoringTokens, options: ScoreCallOptions = {}): Promise<TokenScores> {
        if (this.busy)
            throw new Error("TokenScorer.score() called while a call on the same sequence is running");
        throwIfAborted(options.signal);
        this.busy = true;
        try {
            return await this.scoreExclusive(input, options.signal);
        } finally {
            this.busy = false;
        }
    }

    private async scoreExclusive({ contextTokens, scoredTokens }: ScoringTokens, signal: AbortSignal | undefined): Promise<TokenScores> {
        const start = contextTokens.length;
        if (start === 0)
            throw new ReerError("EMPTY_CONTEXT", "Scoring needs at least one context token before the scored text.",
                "Models that add no BOS token need a non-empty context.");
        if (scoredTokens.length === 0)
            throw new ReerError("EMPTY_CONTINUATION", "There is nothing to score: the scored text has no tokens.");
        const full = contextTokens.concat(scoredTokens);
        if (full.length > this.maxTokens)
            throw new ContextOverflowError("Scoring this text", full.length, this.maxTokens, { modelMaximum: this.sequence.model.trainContextSize });

        // The logits of the last kept token are not stored, so keep at most start - 1 tokens.
        const { firstDifferentIndex } = this.sequence.compareContextTokens(full);
        const keep = Math.min(firstDifferentIndex, start - 1);
        if (this.sequence.nextTokenIndex > keep)
            await this.sequence.eraseContextTokenRanges([{ start: keep, end: this.sequence.nextTokenIndex }]);
        if (this.sequence.nextTokenIndex !== keep)
            throw new Error(`KV cache holds ${this.sequence.nextTokenIndex} tokens after trimming to ${keep}`);

        // The final token is only a target: its own logits are never needed.
        const toEvaluate = full.slice(keep, full.length - 1);
        const firstOutput = start - 1 - keep;
        const tokenLogprobs = new Float64Array(scoredTokens.length).fill(NaN);

        if (this.path === "fast")
            await this.evaluateFast(toEvaluate, firstOutput, scoredTokens, tokenLogprobs, signal);
        else
            await this.evaluateStock(toEvaluate, firstOutput, scoredTokens, tokenLogprobs, signal);

        const missing = tokenLogprobs.findIndex((value) => Number.isNaN(value));
        if (missing >= 0)
            throw new Error(`Scoring left scored token ${missing} of ${scoredTokens.length} without a log-probability`);

        return {
            ...aggregateLogprobs(tokenLogprobs, this.clipFloor),
            tokenLogprobs,
            evaluatedTokens: toEvaluate.length,
            reusedTokens: keep,
            path: this.path
        };
    }

    /**
     * With a signal, the tokens go to the decoder one batch at a time, the signal checked
     * in between; these are the batches one call would make (node-llama-cpp fills each
     * batch from the start), so the scores are the same either way.
     */
    private async evaluateFast(tokens: Token[], firstOutput: number, targets: Token[], out: Float64Array, signal: AbortSignal | undefined): Promise<void> {
        const native = this.nativeTokenLogprobs!;
        const addonContext = getAddonContext(this.sequence.context);
        const batchIndex = new Int32Array(1);
        const targetTokens = Uint32Array.from(targets);
        // The batch logit index each scored position was computed at, by a run from an earlier one.
        const computedAt = new Int32Array(targets.length).fill(-1);
        const step = signal == null ? Math.max(1, tokens.length) : this.sequence.context.batchSize;
        for (let from = 0; from < tokens.length; from += step) {
            throwIfAborted(signal);
            const chunk = tokens.slice(from, from + step);
            const logits = chunk.map((_, index) => from + index >= firstOutput);
            await decodeWithLogitReader(this.sequence, chunk, logits, (batchLogitIndex, tokenIndex) => {
                const scoredIndex = from + tokenIndex - firstOutput;
                if (computedAt[scoredIndex] === batchLogitIndex)
                    return;
                // One call for this position and the following ones in the same batch (a run,
                // see native/ReerTokenLogprobs.cpp), spread over the context's idle threads.
                batchIndex[0] = batchLogitIndex;
                const values = native(addonContext, batchIndex, targetTokens.subarray(scoredIndex));
                out.set(values, scoredIndex);
                for (let k = 0; k < values.length; k++)
                    computedAt[scoredIndex + k] = batchLogitIndex + k;
            });
        }
    }

    /**
     * Exact but slow: node-llama-cpp's full probability map per position, in chunks that
     * bound the heap. The map's probabilities were normalised by a float32 sum over the
     * vocabulary in descending order, which drops the small terms' low bits: every log p
     * came out high by ~1.6e-4 on a 49k vocabulary and ~5e-4 on 262k. Renormalising the
     * map in double removes that offset (each term keeps only float32 rounding, ~6e-8).
     */
    private async evaluateStock(tokens: Token[], firstOutput: number, targets: Token[], out: Float64Array, signal: AbortSignal | undefined): Promise<void> {
        const chunk = Math.max(1, Math.floor(STOCK_MAP_ENTRY_BUDGET / (vocabularySize(this.sequence.model) ?? 200_000)));
        // Everything before the first output position goes in plain evaluations (a batch at a time with a signal).
        const step = signal == null ? Math.max(1, firstOutput) : this.sequence.context.batchSize;
        let offset = 0;
        while (offset < firstOutput) {
            throwIfAborted(signal);
            const end = Math.min(firstOutput, offset + step);
            await this.sequence.controlledEvaluate(tokens.slice(offset, end));
            offset = end;
        }
        while (offset < tokens.length) {
            throwIfAborted(signal);
            const end = Math.min(tokens.length, offset + chunk);
            const results = await this.sequence.controlledEvaluate(
                tokens.slice(offset, end).map((token): [Token, { generateNext: { probabilities: true } }] =>
                    [token, { generateNext: { probabilities: true } }])
            );
            for (let i = offset; i < end; i++) {
                const scoredIndex = i - firstOutput;
                const probabilities = results[i - offset]?.next?.probabilities;
                const probability = probabilities?.get(targets[scoredIndex]!) ?? 0;
                out[scoredIndex] = Math.log(probability) - Math.log(doubleSum(probabilities?.values() ?? []));
            }
            offset = end;
        }
    }
}

/** A sum in double precision, whatever the terms' own precision. */
function doubleSum(values: Iterable<number>): number {
    let total = 0;
    for (const value of values)
        total += value;
    return total;
}
