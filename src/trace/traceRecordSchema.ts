import { z } from "zod";

/**
 * The published shape of one `reer synthesize` output line. Core names are fixed:
 * id, status, x, y, z0, z, score0, score, steps[].segment, steps[].best.
 */
export const scoreSchema = z.object({
    clippedMeanNll: z.number(),
    meanNll: z.number(),
    ppl: z.number(),
    tokenCount: z.number().int(),
    sumLogprob: z.number()
});

export const candidateSchema = z.object({
    raw: z.string(),
    text: z.string().optional(),
    status: z.enum(["scored", "rejected"]),
    reason: z.enum(["empty", "identical", "no-refine-block", "copies-response"]).optional(),
    score: scoreSchema.optional(),
    objective: z.number().optional(),
    tokensGenerated: z.number().int().optional()
});

export const stepSchema = z.object({
    pass: z.number().int(),
    segment: z.number().int(),
    original: z.string(),
    candidates: z.array(candidateSchema),
    chosen: z.number().int().nullable(),
    best: z.number(),
    bestScore: scoreSchema
});

export const modelIdentitySchema = z.object({
    path: z.string(),
    name: z.string(),
    sizeBytes: z.number().int(),
    headSha256: z.string(),
    architecture: z.string()
});

export const traceRecordSchema = z.object({
    id: z.string(),
    /** Resume key: the id, or a content hash of x and y when the input has no id. */
    key: z.string(),
    line: z.number().int(),
    status: z.enum(["done", "skipped", "failed"]),
    reason: z.string().optional(),
    error: z.string().optional(),
    x: z.string(),
    y: z.string(),
    z0: z.string().optional(),
    z: z.string().optional(),
    score0: scoreSchema.optional(),
    score: scoreSchema.optional(),
    /** The score of y with an empty z, for reference. */
    scoreEmptyZ: scoreSchema.optional(),
    objective: z.string(),
    objective0: z.number().optional(),
    objectiveFinal: z.number().optional(),
    steps: z.array(stepSchema),
    stopReason: z.string().optional(),
    segments: z.number().int().optional(),
    initial: z.object({
        opener: z.string(),
        raw: z.string(),
        tokensGenerated: z.number().int(),
        stop: z.string(),
        closed: z.boolean()
    }).optional(),
    /** How y was split for scoring: the unscored head's length in characters. */
    yHeadChars: z.number().int().optional(),
    models: z.object({ generator: modelIdentitySchema, scorer: modelIdentitySchema }),
    prompts: z.array(z.string()),
    seed: z.number().int(),
    configHash: z.string(),
    tokens: z.object({
        generated: z.number().int(),
        scoringEvaluated: z.number().int(),
        scoringReused: z.number().int(),
        /** Generator prompt tokens evaluated, and served from the KV cache. */
        promptEvaluated: z.number().int().optional(),
        promptReused: z.number().int().optional()
    }),
    timings: z.object({
        totalMs: z.number(),
        generationMs: z.number(),
        /** Part of the generator calls' time before their first new token, summed over calls. */
        promptEvalMs: z.number().optional(),
        scoringMs: z.number()
    }),
    reerVersion: z.string()
});

export type TraceRecord = z.infer<typeof traceRecordSchema>;
export type TraceScore = z.infer<typeof scoreSchema>;
