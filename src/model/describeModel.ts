import type { LoadedModel } from "./LoadedModel.js";

/** What a user needs to know about a model before using it with reer. */
export type ModelDescription = {
    path: string;
    name: string;
    sizeBytes: number;
    headSha256: string;
    architecture: string;
    parameters: number;
    fileType: string | undefined;
    layers: number | undefined;
    embeddingSize: number;
    vocabularySize: number;
    tokenizerType: string;
    tokenizerModel: string | undefined;
    byteFallback: boolean;
    bos: string | null;
    eos: string | null;
    addsBos: boolean;
    trainContextSize: number;
    chatTemplate: boolean;
    backend: string;
    fastScoring: boolean;
};

export function describeModel(loaded: LoadedModel): ModelDescription {
    const metadata = loaded.header.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
    const architecture = loaded.identity.architecture;
    const archMetadata = metadata[architecture];
    const tokens = (loaded.header.metadata.tokenizer?.ggml?.tokens ?? []) as readonly string[];
    const gpu = loaded.runtime.llama.gpu;
    return {
        path: loaded.identity.path,
        name: loaded.identity.name,
        sizeBytes: loaded.identity.sizeBytes,
        headSha256: loaded.identity.headSha256,
        architecture,
        parameters: loaded.parameterCount,
        // node-llama-cpp describes a model as "<architecture> <size> <weight type>"; keep the weight type.
        fileType: loaded.model.typeDescription.split(" ").slice(2).join(" ") || undefined,
        layers: typeof archMetadata?.block_count === "number" ? archMetadata.block_count : undefined,
        embeddingSize: loaded.model.embeddingVectorSize,
        vocabularySize: tokens.length,
        tokenizerType: String(loaded.model.vocabularyType),
        tokenizerModel: loaded.header.metadata.tokenizer?.ggml?.model,
        byteFallback: tokens.includes("<0x00>") || loaded.model.vocabularyType === "bpe",
        bos: loaded.model.tokens.bosString,
        eos: loaded.model.tokens.eosString,
        addsBos: loaded.model.tokens.shouldPrependBosToken,
        trainContextSize: loaded.trainContextSize,
        chatTemplate: loaded.chatTemplate != null,
        backend: gpu === false ? `cpu (${loaded.runtime.llama.buildType})` : `${gpu} (${loaded.runtime.llama.buildType})`,
        fastScoring: loaded.runtime.hasFastScoring
    };
}
