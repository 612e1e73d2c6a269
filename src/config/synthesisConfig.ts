import { z } from "zod";
import { searchConfigSchema } from "./searchConfig.js";

/** Sampling for every generator call (method.md: temperature 0.8, top-p 0.85, up to 8000 new tokens). */
export const samplingConfigSchema = z.object({
    temperature: z.number().min(0).default(0.8),
    topP: z.number().gt(0).max(1).default(0.85),
    /** 0 disables top-k (the preset does not use it). */
    topK: z.number().int().min(0).default(0),
    /** Cap on new tokens per generator call (initial trajectory and each rewrite). */
    maxTokens: z.number().int().min(1).default(8000),
    /** llama.cpp's repetition penalty over the last 64 generated tokens (1 = none); absent in the paper preset. */
    repeatPenalty: z.number().min(1).optional(),
    /** DRY ("don't repeat yourself") strength, penalising verbatim repeats of earlier sequences (0 = none); absent in the paper preset. */
    dryStrength: z.number().min(0).optional()
}).strict();

export const fieldNamesSchema = z.object({
    prompt: z.string().default("prompt"),
    response: z.string().default("response"),
    id: z.string().default("id"),
    /** A chat `messages` array (user turn = x, last assistant turn = y) is read when present under this key. */
    messages: z.string().default("messages")
}).strict();

/** Everything that decides a synthesis run's results; JSON config files follow this shape. */
export const synthesisConfigSchema = z.object({
    search: searchConfigSchema.default(searchConfigSchema.parse({})),
    sampling: samplingConfigSchema.default(samplingConfigSchema.parse({})),
    seed: z.number().int().min(0).default(0),
    /** Items in flight at once; "auto": one on a CPU, as many as the GPU's free memory holds on a GPU. */
    parallel: z.union([z.number().int().min(1), z.literal("auto")]).default("auto"),
    /**
     * How the candidates of a step are generated. "concurrent": on parallel sequences whose
     * decoding is batched together (each evaluates the changed part of the edit prompt).
     * "sequential": one after another on one sequence, evaluating that part once. "auto":
     * concurrent when the generator runs on a GPU, sequential on a CPU, where a batch of n
     * sequences costs about n times one (`npm run bench:generation` measures it).
     */
    candidateMode: z.enum(["auto", "sequential", "concurrent"]).default("auto"),
    /** "chat": the generator's chat template; "none": plain text prompts (models without a template). */
    generatorTemplate: z.enum(["chat", "none"]).default("chat"),
    /** "paper": the scorer's chat template with <think>/<answer>; "none": plain text. */
    scorerTemplate: z.enum(["paper", "none"]).default("paper"),
    /**
     * When a response holds "</think>" (data made by reasoning models), y is the text after
     * its last "</think>", as in the reference; false scores the whole response.
     */
    answerAfterThink: z.boolean().default(true),
    fields: fieldNamesSchema.default(fieldNamesSchema.parse({}))
}).strict();

export type SamplingConfig = z.infer<typeof samplingConfigSchema>;

/** The bound on z that a config gives: its own, or twice the new-token cap. */
export function maxThinkingTokensOf(config: SynthesisConfig): number {
    return config.search.maxThinkingTokens ?? 2 * config.sampling.maxTokens;
}
export type SynthesisConfig = z.infer<typeof synthesisConfigSchema>;
