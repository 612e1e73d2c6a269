import path from "node:path";
import type { LoadedModel } from "./LoadedModel.js";
import { isCjkCharacter } from "../text/textUnits.js";

/** Counts tokens of a text, and says how, so reports can name the method. */
export interface TokenCounter {
    readonly method: "tokenizer" | "estimate";
    /** One line for reports, e.g. "tokenizer of Qwen2.5-7B-Instruct". */
    readonly description: string;
    count(text: string): number;
}

/** English averages about four characters per token in common BPE vocabularies. */
export const ESTIMATE_CHARS_PER_TOKEN = 4;

/**
 * The estimate used without a model: one token per CJK character (BPE vocabularies give
 * a common ideograph about one token) plus one per four other characters, spaces
 * included, rounded up. Code points are counted, not UTF-16 units.
 */
export function estimateTokens(text: string): number {
    let cjk = 0;
    let other = 0;
    for (const char of text) {
        if (isCjkCharacter(char))
            cjk++;
        else
            other++;
    }
    return cjk + Math.ceil(other / ESTIMATE_CHARS_PER_TOKEN);
}

export const estimatedTokenCounter: TokenCounter = {
    method: "estimate",
    description: `estimated, 1 token per CJK character + 1 per ${ESTIMATE_CHARS_PER_TOKEN} other characters (no --model)`,
    count: estimateTokens
};

/**
 * Exact counts with a model's own tokenizer (no BOS, special-token syntax as plain text).
 * A SentencePiece vocabulary without byte fallback would abort llama.cpp on characters it
 * lacks, so those are taken out first and counted as one token each (an unknown token).
 */
export function tokenizerTokenCounter(model: LoadedModel): TokenCounter {
    return {
        method: "tokenizer",
        description: `tokenizer of ${model.identity.name} (${path.basename(model.identity.path)})`,
        count(text: string): number {
            if (text === "")
                return 0;
            const missing = model.guard.findUnencodable(text);
            if (missing.length === 0)
                return model.model.tokenize(text, false).length;
            let unknown = 0;
            let encodable = "";
            for (const char of text) {
                if (missing.includes(char))
                    unknown++;
                else
                    encodable += char;
            }
            return unknown + (encodable === "" ? 0 : model.model.tokenize(encodable, false).length);
        }
    };
}
