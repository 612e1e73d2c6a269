import type { LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import { ReerError } from "../errors/ReerError.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { ResourcePool } from "../util/ResourcePool.js";

export type SamplingOptions = {
    temperature: number;
    topP: number;
    /** 0 disables top-k. */
    topK: number;
    seed: number;
    maxTokens: number;
    /** Generation stops when the text ends with one of these (the stop string is kept). */
    stopStrings?: string[];
};

export type Generation = {
    text: string;
    tokens: number;
    stop: "eog" | "stop-string" | "max-tokens";
    /** Prompt tokens served from the KV cache of an earlier call on the same sequence. */
    reusedPromptTokens: number;
};

export type GeneratorOptions = {
    threads: number;
    contextSize: number;
    /** Concurrent generations (one sequence each). */
    sequences: number;
    batchSize?: number;
    flashAttention?: boolean;
};

/**
 * Sampled generation from exact prompt tokens on a pool of sequences of one context.
 * Concurrent calls run on different sequences and are batched together by node-llama-cpp.
 * Each sequence keeps its KV cache, so a prompt sharing a prefix with that sequence's
 * last prompt only evaluates the rest.
 */
export class Generator {
    private readonly sequences: ResourcePool<LlamaContextSequence>;

    private constructor(private readonly model: LoadedModel, public readonly context: LlamaContext, sequenceCount: number) {
        this.sequences = new ResourcePool(Array.from({ length: sequenceCount }, () => context.getSequence()));
    }

    public static async create(model: LoadedModel, options: GeneratorOptions): Promise<Generator> {
        const context = await model.model.createContext({
            contextSize: options.contextSize,
            sequences: options.sequences,
            threads: options.threads,
            batchSize: options.batchSize ?? Math.min(512, options.contextSize),
            flashAttention: options.flashAttention ?? false
        });
        return new Generator(model, context, options.sequences);
    }

    public get contextSize(): number {
        return this.context.contextSize;
    }

    public async generate(prompt: Token[], sampling: SamplingOptions): Promise<Generation> {
        if (prompt.length + sampling.maxTokens > this.contextSize)
            throw new ReerError("CONTEXT_OVERFLOW", `A generation needs ${prompt.length} prompt tokens + ${sampling.maxTokens} new tokens but the context holds ${this.contextSize}.`);
        return await this.sequences.with((sequence) => this.generateOn(sequence, prompt, sampling));
    }

    private async generateOn(sequence: LlamaContextSequence, prompt: Token[], sampling: SamplingOptions): Promise<Generation> {
        // Keep the shared prefix, but always evaluate the last prompt token to get fresh logits.
        const keep = Math.min(sequence.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
        if (sequence.nextTokenIndex > keep)
            await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
        const model = this.model.model;
        const generated: Token[] = [];
        let stop: Generation["stop"] = "max-tokens";
        const stopStrings = sampling.stopStrings ?? [];
        const longestStop = Math.max(0, ...stopStrings.map((stopString) => stopString.length));
        let tail = "";
        if (sampling.maxTokens > 0) {
            for await (const token of sequence.evaluate(prompt.slice(keep), {
                temperature: sampling.temperature,
                topP: sampling.topP,
                ...(sampling.topK > 0 ? { topK: sampling.topK } : {}),
                seed: sampling.seed,
                yieldEogToken: true
            })) {
                if (model.isEogToken(token)) {
                    stop = "eog";
                    break;
                }
                // Only the last few characters can complete a stop string.
                tail = (tail + model.detokenize([token], false, generated.slice(-8))).slice(-(longestStop + 64));
                generated.push(token);
                if (stopStrings.some((stopString) => tail.includes(stopString))) {
                    stop = "stop-string";
                    break;
                }
                if (generated.length >= sampling.maxTokens)
                    break;
            }
        }
        let text = model.detokenize(generated, false);
        if (stop === "stop-string")
            text = cutAfterFirstStop(text, stopStrings);
        return { text, tokens: generated.length, stop, reusedPromptTokens: keep };
    }

    public async dispose(): Promise<void> {
        await this.context.dispose();
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
