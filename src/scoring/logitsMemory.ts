import type { LlamaModel } from "node-llama-cpp";

/**
 * Bytes llama.cpp holds per position whose logits a decode returns: the logits are computed
 * into its compute buffer and copied into its output buffer, a float per vocabulary entry in
 * each (2 MiB per position at Gemma 3's 262,144 tokens). A scoring context's batch decides
 * how many positions that is at once, and both buffers keep their size once grown.
 */
export const logitsBytesPerPosition = (vocabularySize: number): number => 2 * 4 * vocabularySize;

/** The logits a scoring context may hold at once, whatever the length of y. */
export const SCORING_LOGITS_BUDGET_BYTES = 256 * 1024 * 1024;

/** The default and largest batch of a scoring context (llama.cpp's default batch). */
export const SCORING_MAX_BATCH = 512;

/**
 * The largest scoring batch whose logits fit SCORING_LOGITS_BUDGET_BYTES: 512 up to a
 * 65,536-token vocabulary, 220 at 151,936 (Qwen2.5), 128 at 262,144 (Gemma 3). On a CPU
 * prompt evaluation is about as fast in batches of 64 as of 512.
 */
export function scoringBatchCap(vocabularySize: number): number {
    return Math.max(8, Math.min(SCORING_MAX_BATCH, Math.floor(SCORING_LOGITS_BUDGET_BYTES / logitsBytesPerPosition(vocabularySize))));
}

/** The length of the model's logits rows, from its GGUF vocabulary; undefined when the file lists none. */
export function vocabularySize(model: LlamaModel): number | undefined {
    return model.fileInfo.metadata?.tokenizer?.ggml?.tokens?.length;
}
