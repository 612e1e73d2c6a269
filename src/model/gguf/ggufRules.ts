/**
 * What llama.cpp refuses in a GGUF layout, written once: the checker reports these on files
 * it reads, the writer refuses to write them. Each rule returns what is wrong, or undefined.
 */
import { GgufValueType } from "./ggufFormat.js";

/** llama.cpp's GGML_MAX_NAME: tensor names are shorter. */
export const GGML_MAX_NAME = 64;
export const GGML_MAX_DIMS = 4;
export const TOKENS_KEY = "tokenizer.ggml.tokens";
/** Arrays llama.cpp indexes by token id: each needs an entry for every token. */
export const PER_TOKEN_KEYS = ["tokenizer.ggml.scores", "tokenizer.ggml.token_type"];

export function alignmentProblem(type: GgufValueType, alignment: number): string | undefined {
    if (type !== GgufValueType.UINT32)
        return `general.alignment has value type ${type}; llama.cpp reads it as a uint32 (type ${GgufValueType.UINT32})`;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0)
        return `general.alignment is ${alignment}, not a power of 2`;
    return undefined;
}

/** `index` counts from 0. */
export function tensorNameProblem(index: number, name: string): string | undefined {
    const bytes = Buffer.byteLength(name);
    return bytes >= GGML_MAX_NAME ? `tensor ${index + 1} has a ${bytes}-byte name; llama.cpp allows at most ${GGML_MAX_NAME - 1}` : undefined;
}

export function dimensionCountProblem(name: string, count: number): string | undefined {
    return count > GGML_MAX_DIMS ? `tensor ${JSON.stringify(name)} has ${count} dimensions; llama.cpp allows at most ${GGML_MAX_DIMS}` : undefined;
}

/**
 * llama.cpp maps every token text to its id and asserts that no two ids share a text (an
 * empty text stands for "[EMPTY_<id>]"); the per-token arrays must cover every token.
 */
export function vocabularyProblem(tokens: readonly string[], arrayLength: (key: string) => number | undefined): string | undefined {
    const firstId = new Map<string, number>();
    const duplicates: string[] = [];
    tokens.forEach((token, id) => {
        const text = token === "" ? `[EMPTY_${id}]` : token;
        const earlier = firstId.get(text);
        if (earlier == null)
            firstId.set(text, id);
        else
            duplicates.push(`${JSON.stringify(text)} (ids ${earlier} and ${id})`);
    });
    if (duplicates.length > 0)
        return `its vocabulary (${TOKENS_KEY}) holds ${duplicates.length} duplicate token text(s), which llama.cpp cannot load: ` +
            duplicates.slice(0, 3).join(", ") + (duplicates.length > 3 ? ", ..." : "");
    for (const key of PER_TOKEN_KEYS) {
        const length = arrayLength(key);
        if (length != null && length < tokens.length)
            return `${key} has ${length} entries for ${tokens.length} tokens`;
    }
    return undefined;
}

/** Where llama.cpp expects each tensor's data: right after the previous one's, padded to the alignment. */
export function tensorDataOffsets(byteSizes: readonly bigint[], alignment: number): bigint[] {
    let next = 0n;
    return byteSizes.map((bytes) => {
        const offset = next;
        next += (bytes + BigInt(alignment) - 1n) / BigInt(alignment) * BigInt(alignment);
        return offset;
    });
}

/** llama.cpp refuses an empty metadata key and one that occurs twice. */
export function metadataKeysProblem(keys: readonly string[]): string | undefined {
    const seen = new Set<string>();
    for (const [index, key] of keys.entries()) {
        if (key === "")
            return `metadata entry ${index + 1} has an empty key`;
        if (seen.has(key))
            return `the metadata key ${JSON.stringify(key)} occurs twice`;
        seen.add(key);
    }
    return undefined;
}
