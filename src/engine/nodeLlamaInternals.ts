/**
 * The few node-llama-cpp internals reer relies on, in one place. They are stable within
 * the exactly pinned node-llama-cpp version (see package.json); every accessor checks
 * its shape so an upgrade fails loudly here instead of producing wrong scores.
 */
import type { Llama, LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";

/** The addon function added by native/ReerTokenLogprobs.cpp. */
export type NativeTokenLogprobs = (addonContext: object, batchLogitIndexes: Int32Array, targetTokens: Uint32Array) => Float64Array;

export function getNativeTokenLogprobs(llama: Llama): NativeTokenLogprobs | undefined {
    const bindings = (llama as unknown as { _bindings?: Record<string, unknown> })._bindings;
    const fn = bindings?.reerTokenLogprobs;
    return typeof fn === "function" ? (fn as NativeTokenLogprobs) : undefined;
}

export function getAddonContext(context: LlamaContext): object {
    const addonContext = (context as unknown as { _ctx?: object })._ctx;
    if (addonContext == null)
        throw new Error("node-llama-cpp internals changed: LlamaContext._ctx is missing");
    return addonContext;
}

/** Called synchronously after each decode batch, once per token that requested logits. */
export type LogitReader<T> = (batchLogitIndex: number, tokenIndex: number) => T;

type SequenceDecode = <T>(
    tokens: Token[],
    logits: boolean[],
    evaluationPriority: number,
    tokenMeter: unknown,
    contextShiftOptions: { size: number; strategy: (...args: unknown[]) => never },
    logitDataMapper: LogitReader<T>
) => Promise<T[]>;

const refuseContextShift = (): never => {
    throw new Error("reer never shifts the context: the work was supposed to be checked against the context size first");
};

/**
 * Evaluates `tokens` on the sequence (appending them to its state) and calls `reader`
 * for every token whose `logits` flag is set, while that batch's logits are still live.
 * Returns the reader's values indexed like `tokens` (holes where no logits were asked).
 */
export async function decodeWithLogitReader<T>(sequence: LlamaContextSequence, tokens: Token[], logits: boolean[], reader: LogitReader<T>): Promise<T[]> {
    const internal = sequence as unknown as { _decodeTokens?: SequenceDecode; _tokenMeter?: unknown };
    if (typeof internal._decodeTokens !== "function")
        throw new Error("node-llama-cpp internals changed: LlamaContextSequence._decodeTokens is missing");
    return await internal._decodeTokens.call(sequence, tokens, logits, 5, internal._tokenMeter,
        { size: 1, strategy: refuseContextShift }, reader) as T[];
}
