/**
 * The few node-llama-cpp internals reer relies on, in one place. They are stable within
 * the exactly pinned node-llama-cpp version (see package.json); every accessor checks
 * its shape so an upgrade fails loudly here instead of producing wrong scores.
 */
import { withLock } from "lifecycle-utils";
import type { Llama, LlamaContext, LlamaContextSequence, Token } from "node-llama-cpp";
import type { NativeBinaryFacts } from "./nativeBuildState.js";

/**
 * ggml's block and byte sizes of a tensor type, as the loaded llama.cpp knows them
 * (undefined for types it does not know); undefined when the binding is missing.
 */
export function ggmlTypeTraits(llama: Llama): ((type: number) => { blockSize: number; typeSize: number } | undefined) | undefined {
    const bindings = addonBindings(llama);
    const typeSize = bindings?.getTypeSizeForGgmlType;
    const blockSize = bindings?.getBlockSizeForGgmlType;
    if (typeof typeSize !== "function" || typeof blockSize !== "function")
        return undefined;
    return (type) => {
        const bytes: unknown = typeSize.call(bindings, type);
        const elements: unknown = blockSize.call(bindings, type);
        return typeof bytes === "number" && typeof elements === "number" && bytes > 0 && elements > 0
            ? { blockSize: elements, typeSize: bytes }
            : undefined;
    };
}

/** The addon function added by native/ReerTokenLogprobs.cpp. */
export type NativeTokenLogprobs = (addonContext: object, batchLogitIndexes: Int32Array, targetTokens: Uint32Array) => Float64Array;

/** The addon function added by native/ReerSequenceCopy.cpp. */
export type NativeSequenceCopy = (addonContext: object, sourceSequenceId: number, targetSequenceId: number) => void;

function addonBindings(llama: Llama): Record<string, unknown> | undefined {
    return (llama as unknown as { _bindings?: Record<string, unknown> })._bindings;
}

function addonFunction(llama: Llama, name: string): unknown {
    const fn = addonBindings(llama)?.[name];
    return typeof fn === "function" ? fn : undefined;
}

/** What the loaded binary exports of native/ (see native/ReerAddon.cpp and sampler-top-k.patch). */
export function readNativeBinaryFacts(llama: Llama): NativeBinaryFacts {
    const version = addonFunction(llama, "reerNativeVersion") as (() => unknown) | undefined;
    const reported = version?.();
    return {
        hasFunctions: getNativeTokenLogprobs(llama) != null && getNativeSequenceCopy(llama) != null,
        version: typeof reported === "string" ? reported : undefined,
        samplerPatch: addonBindings(llama)?.reerSamplerTopK === true
    };
}

export function getNativeTokenLogprobs(llama: Llama): NativeTokenLogprobs | undefined {
    return addonFunction(llama, "reerTokenLogprobs") as NativeTokenLogprobs | undefined;
}

export function getNativeSequenceCopy(llama: Llama): NativeSequenceCopy | undefined {
    return addonFunction(llama, "reerCopySequence") as NativeSequenceCopy | undefined;
}

type SequenceState = { _sequenceId: number; _contextTokens: Token[]; _nextTokenIndex: number; _loadedTokenPredictions: unknown[] };

function sequenceState(sequence: LlamaContextSequence): SequenceState {
    const state = sequence as unknown as Partial<SequenceState>;
    if (typeof state._sequenceId !== "number" || !Array.isArray(state._contextTokens) ||
        typeof state._nextTokenIndex !== "number" || !Array.isArray(state._loadedTokenPredictions))
        throw new Error("node-llama-cpp internals changed: LlamaContextSequence state fields are missing");
    return state as SequenceState;
}

/**
 * Makes `target` hold exactly what `source` holds: the KV cache (copied natively) and
 * node-llama-cpp's record of the evaluated tokens. Runs under the lock that node-llama-cpp
 * takes for its own decodes and erasures, so no batch sees a half-copied sequence.
 */
export async function copySequenceState(source: LlamaContextSequence, target: LlamaContextSequence, copy: NativeSequenceCopy): Promise<void> {
    if (source.context !== target.context)
        throw new Error("Only sequences of one context can share a KV cache");
    const from = sequenceState(source);
    const to = sequenceState(target);
    await withLock([source.context, "context"], () => {
        if (from._loadedTokenPredictions.length > 0 || to._loadedTokenPredictions.length > 0)
            throw new Error("Cannot copy a sequence that holds token predictions");
        copy(getAddonContext(source.context), from._sequenceId, to._sequenceId);
        to._contextTokens = from._contextTokens.slice();
        to._nextTokenIndex = from._nextTokenIndex;
    });
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
