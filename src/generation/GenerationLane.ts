import type { LlamaContextSequence, SequenceEvaluateOptions, Token } from "node-llama-cpp";
import { copySequenceState } from "../runtime/nodeLlamaInternals.js";
import { ReerError } from "../errors/ReerError.js";
import { throwIfAborted } from "../util/AbortedError.js";
import type { GenerationGrammar } from "../model/GenerationGrammar.js";
import type { LoadedModel } from "../model/LoadedModel.js";

export type SamplingOptions = {
    temperature: number;
    topP: number;
    /** 0 disables top-k. */
    topK: number;
    seed: number;
    maxTokens: number;
    /** Generation stops when the text ends with one of these (the stop string is kept). */
    stopStrings?: string[];
    /** Only text this grammar accepts can be sampled; the call ends when the grammar is complete. */
    grammar?: GenerationGrammar;
    /** Repetition penalty over the last generated tokens (absent or 1: none). */
    repeatPenalty?: number;
    /** DRY strength (absent or 0: none). */
    dryStrength?: number;
    /**
     * A stop (Ctrl-C, SIGTERM): the call throws AbortedError between prompt batches and
     * between new tokens, so a stop waits for one decode, not for the whole generation.
     */
    signal?: AbortSignal;
    /** Called after each new token (heartbeats of long generations). */
    onToken?: () => void;
};

/** Tokens the repetition penalty looks back over: llama.cpp's common default. */
const REPEAT_PENALTY_WINDOW = 64;

/** What `sharePromptWith` did: tokens it evaluated, lanes it copied to, and how long that took. */
export type SharedPrompt = { evaluatedTokens: number; ms: number; copies: number };

export type Generation = {
    text: string;
    tokens: number;
    stop: "eog" | "stop-string" | "max-tokens";
    /** Prompt tokens served from the KV cache of an earlier call on the same sequence. */
    reusedPromptTokens: number;
    /** Time until the first new token: mostly the evaluation of the prompt's new part. */
    promptMs: number;
};

/**
 * One sequence of a generation context. It keeps its KV cache between calls, so a prompt
 * that shares a prefix with the lane's previous prompt only evaluates the rest.
 */
export class GenerationLane {
    public constructor(private readonly model: LoadedModel, private readonly sequence: LlamaContextSequence) {}

    /** Forgets the KV cache, so the next call starts as on a fresh context. */
    public async reset(): Promise<void> {
        await this.sequence.clearHistory();
    }

    /**
     * Evaluates all of `prompt` but its last token on this lane and copies the result to
     * `others`, so that each of them, asked to generate from `prompt`, evaluates one token
     * instead of the whole changed part. Without the native copy (a stock binary) or for
     * models whose sequences need checkpoints, it does nothing and each lane evaluates the
     * prompt itself (slower, and batched differently, so sampled text may differ).
     */
    public async sharePromptWith(others: GenerationLane[], prompt: Token[]): Promise<SharedPrompt> {
        const copy = this.model.runtime.nativeSequenceCopy;
        if (copy == null || this.sequence.needsCheckpoints || others.length === 0 || prompt.length < 2)
            return { evaluatedTokens: 0, ms: 0, copies: 0 };
        const started = performance.now();
        const head = prompt.slice(0, -1);
        const kept = await this.keepPrefixOf(head, head.length);
        if (kept < head.length)
            await this.sequence.evaluateWithoutGeneratingNewTokens(head.slice(kept));
        let copies = 0;
        for (const other of others) {
            if (other.sequence.compareContextTokens(head).firstDifferentIndex >= head.length)
                continue;
            await copySequenceState(this.sequence, other.sequence, copy);
            copies++;
        }
        return { evaluatedTokens: head.length - kept, ms: performance.now() - started, copies };
    }

    /** Erases everything after the longest prefix shared with `tokens` (at most `limit` tokens); returns its length. */
    private async keepPrefixOf(tokens: Token[], limit: number): Promise<number> {
        const keep = Math.min(this.sequence.compareContextTokens(tokens).firstDifferentIndex, limit);
        if (this.sequence.nextTokenIndex > keep)
            await this.sequence.eraseContextTokenRanges([{ start: keep, end: this.sequence.nextTokenIndex }]);
        return keep;
    }

    public async generate(prompt: Token[], sampling: SamplingOptions): Promise<Generation> {
        if (prompt.length + sampling.maxTokens > this.sequence.contextSize)
            throw new ReerError("CONTEXT_OVERFLOW", `A generation needs ${prompt.length} prompt tokens + ${sampling.maxTokens} new tokens but the context holds ${this.sequence.contextSize}.`);
        throwIfAborted(sampling.signal);
        const started = performance.now();
        // Keep the shared prefix, but always evaluate the last prompt token to get fresh logits.
        let keep = await this.keepPrefixOf(prompt, prompt.length - 1);
        const reused = keep;
        if (sampling.signal != null)
            keep = await this.evaluateWholeBatches(prompt, keep, sampling.signal);
        let promptMs: number | undefined;
        const model = this.model;
        // The prompt's last tokens lead into the first new one: SentencePiece needs them to
        // keep the leading space of a continuation (" wants" after "the user").
        const lead = prompt.slice(-8);
        const generated: Token[] = [];
        let stop: Generation["stop"] = "max-tokens";
        const stopStrings = sampling.stopStrings ?? [];
        const longestStop = Math.max(0, ...stopStrings.map((stopString) => stopString.length));
        let tail = "";
        if (sampling.maxTokens > 0) {
            for await (const token of this.sequence.evaluate(prompt.slice(keep), samplerOptions(sampling, generated))) {
                promptMs ??= performance.now() - started;
                throwIfAborted(sampling.signal);
                if (model.isEndOfGeneration(token)) {
                    stop = "eog";
                    break;
                }
                // Only the last few characters can complete a stop string; a call without
                // stop strings detokenises nothing per token.
                if (stopStrings.length > 0)
                    tail = (tail + model.detokenize([token], false, [...lead, ...generated].slice(-8))).slice(-(longestStop + 64));
                generated.push(token);
                sampling.onToken?.();
                if (stopStrings.length > 0 && stopStrings.some((stopString) => tail.includes(stopString))) {
                    stop = "stop-string";
                    break;
                }
                if (generated.length >= sampling.maxTokens)
                    break;
            }
        }
        let text = model.detokenize(generated, false, lead);
        if (stop === "stop-string")
            text = cutAfterFirstStop(text, stopStrings);
        return { text, tokens: generated.length, stop, reusedPromptTokens: reused, promptMs: promptMs ?? performance.now() - started };
    }

    /**
     * Evaluates the prompt from `from` one decode batch at a time, up to the last batch,
     * checking `signal` between batches: a long prompt on a large model takes minutes, and
     * a stop should not wait for all of it. The batches are the ones a single evaluation
     * of the rest would make (node-llama-cpp fills each batch from the start), so the
     * numbers do not change; the last batch, with the prompt's last token, is left to the
     * generation. Returns how many prompt tokens are now in the KV cache.
     */
    private async evaluateWholeBatches(prompt: Token[], from: number, signal: AbortSignal): Promise<number> {
        const batch = this.sequence.context.batchSize;
        // Sequences that need checkpoints take them per evaluation call: leave those to one call.
        if (this.sequence.needsCheckpoints || prompt.length - from <= batch)
            return from;
        const end = from + Math.floor((prompt.length - 1 - from) / batch) * batch;
        for (let at = from; at < end; at += batch) {
            throwIfAborted(signal);
            await this.sequence.evaluateWithoutGeneratingNewTokens(prompt.slice(at, at + batch));
        }
        throwIfAborted(signal);
        return end;
    }
}

/** The text up to and including the earliest stop string (a token may run past it). */
function cutAfterFirstStop(text: string, stopStrings: string[]): string {
    let end = text.length;
    for (const stopString of stopStrings) {
        const at = text.indexOf(stopString);
        if (at >= 0)
            end = Math.min(end, at + stopString.length);
    }
    return text.slice(0, end);
}

/**
 * node-llama-cpp's evaluation options for one call: the paper's sampler, a grammar, and the
 * repetition controls over `generated` (the call's tokens so far, read at each token).
 */
function samplerOptions(sampling: SamplingOptions, generated: readonly Token[]): SequenceEvaluateOptions {
    return {
        temperature: sampling.temperature,
        topP: sampling.topP,
        // Passed even when 0: node-llama-cpp would otherwise apply its own top-k of 40,
        // while 0 here means no top-k at all (the paper's sampler).
        topK: sampling.topK,
        seed: sampling.seed,
        ...(sampling.grammar == null ? {} : { grammarEvaluationState: sampling.grammar.newState() }),
        ...(sampling.repeatPenalty == null || sampling.repeatPenalty === 1 ? {} : {
            repeatPenalty: { punishTokens: () => generated.slice(-REPEAT_PENALTY_WINDOW), maxPunishTokens: REPEAT_PENALTY_WINDOW, penalty: sampling.repeatPenalty }
        }),
        // The window is this call's own tokens (node-llama-cpp's sampler sees no others).
        // Left unset, node-llama-cpp passes -1 for "all of them", which its llama.cpp
        // clamps to 0, and a window of 0 turns DRY off without a word.
        ...(sampling.dryStrength == null || sampling.dryStrength === 0 ? {} : { dryRepeatPenalty: { strength: sampling.dryStrength, lastTokens: Math.max(1, sampling.maxTokens) } }),
        yieldEogToken: true
    };
}
