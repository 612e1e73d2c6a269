import { z } from "zod";
import { draftRefusalSchema, failureSchema, refusalSchema } from "./refusal.js";

/**
 * The published shape of one `reer synthesize` output line, a union on `status`: a `done`
 * record always carries its trajectories and scores, a `skipped` one its reason, a
 * `failed` one its error. Core names are fixed: id, status, x, y, z0, z, score0, score,
 * steps[].segment, steps[].best.
 */
export const scoreSchema = z.object({
    clippedMeanNll: z.number(),
    meanNll: z.number(),
    ppl: z.number(),
    tokenCount: z.number().int(),
    sumLogprob: z.number()
});

/** Why a proposed rewrite was never scored. */
export const candidateRejectionSchema = z.enum(["empty", "identical", "no-refine-block", "unclosed", "copies-response", "too-long", "repetitive"]);

export const candidateSchema = z.object({
    /** The generator's whole turn, pre-fill included. */
    raw: z.string(),
    /** The rewritten segment, when a <refine> block was found (or the resampled paragraph). */
    text: z.string().optional(),
    /** "resample" for a segment sampled afresh as a continuation of the draft, "prune" for its removal (text ""); absent for the edit turn's <refine> block. */
    proposer: z.enum(["resample", "prune"]).optional(),
    status: z.enum(["scored", "rejected"]),
    reason: candidateRejectionSchema.optional(),
    score: scoreSchema.optional(),
    /** The objective value; lower is better. */
    objective: z.number().optional(),
    tokensGenerated: z.number().int().optional()
});

export const stepSchema = z.object({
    pass: z.number().int(),
    segment: z.number().int(),
    original: z.string(),
    candidates: z.array(candidateSchema),
    /** Index into candidates of the winner, or null when the original was kept. */
    chosen: z.number().int().nullable(),
    /** Objective of the best trajectory after this step. */
    best: z.number(),
    bestScore: scoreSchema
});

export const modelIdentitySchema = z.object({
    path: z.string(),
    name: z.string(),
    sizeBytes: z.number().int(),
    headSha256: z.string(),
    /** The whole file's sha256 when the run verified it (a pin or a catalogue model); older traces lack it. */
    sha256: z.string().optional(),
    architecture: z.string()
});

/** One draft of the initial trajectory: the generator's turn and how it ended. */
export const initialDraftSchema = z.object({
    opener: z.string(),
    raw: z.string(),
    tokensGenerated: z.number().int(),
    stop: z.string(),
    closed: z.boolean()
});

/** One of several initial drafts (--initial-drafts): its trajectory, and its score or why it was not used. */
export const scoredDraftSchema = initialDraftSchema.extend({
    /** The normalised trajectory (segments trimmed, joined by blank lines). */
    z: z.string(),
    score: scoreSchema.optional(),
    objective: z.number().optional(),
    /** Why the draft could not start a search (too short, a single segment, too long). */
    rejected: z.string().optional(),
    /** A loop the draft was searched from despite, when no redraft did better. */
    usedDespite: z.string().optional(),
    /** What `rejected` or `usedDespite` says, as data (older traces lack it). */
    refusal: draftRefusalSchema.optional()
});

/** Fields every record has, whatever its status. */
const commonFields = {
    id: z.string(),
    /** Resume key: the id, or a content hash of x and y when the input has no id. */
    key: z.string(),
    line: z.number().int(),
    x: z.string(),
    /** The answer that was scored: the response, or its text after the last "</think>". */
    y: z.string(),
    /** Characters of thinking cut from the front of the response to get y (absent when none). */
    thinkingStrippedChars: z.number().int().optional(),
    objective: z.string(),
    /** The scorer's prompt layout: "paper" (chat template with <think>/<answer>) or "none" (plain text). */
    scorerTemplate: z.enum(["paper", "none"]).optional(),
    steps: z.array(stepSchema),
    models: z.object({ generator: modelIdentitySchema, scorer: modelIdentitySchema }),
    prompts: z.array(z.string()),
    seed: z.number().int(),
    configHash: z.string(),
    /** The settings the hash covers (models by hash, prompts by fingerprint), so a changed resume can name what changed. */
    settings: z.record(z.string(), z.unknown()).optional(),
    tokens: z.object({
        generated: z.number().int(),
        scoringEvaluated: z.number().int(),
        scoringReused: z.number().int(),
        /** Of `generated`: tokens of initial drafts, and of candidate rewrites (older traces lack both). */
        generatedDrafting: z.number().int().optional(),
        generatedProposing: z.number().int().optional(),
        /** Generator prompt tokens evaluated, and served from the KV cache. */
        promptEvaluated: z.number().int().optional(),
        promptReused: z.number().int().optional()
    }),
    timings: z.object({
        totalMs: z.number(),
        generationMs: z.number(),
        /** Of `generationMs`: wall time drafting, and proposing candidates (older traces lack both). */
        draftingMs: z.number().optional(),
        proposingMs: z.number().optional(),
        /** Part of the generator calls' time before their first new token, summed over calls. */
        promptEvalMs: z.number().optional(),
        scoringMs: z.number()
    }),
    reerVersion: z.string()
};

export const doneRecordSchema = z.object({
    ...commonFields,
    status: z.literal("done"),
    z0: z.string(),
    z: z.string(),
    score0: scoreSchema,
    score: scoreSchema,
    /**
     * The score of y with no thinking (an empty z, the same scorer and layout): the baseline
     * z* must beat to be worth training on. Written for every done item since 0.1 of the
     * quality work; older records may hold it as `scoreEmptyZ` or not at all.
     */
    scoreEmpty: scoreSchema.optional(),
    /** The former name of scoreEmpty, written only when the objective needed it. */
    scoreEmptyZ: scoreSchema.optional(),
    objective0: z.number(),
    objectiveFinal: z.number(),
    stopReason: z.string(),
    /** What stopped the search midway when stopReason is "error"; z is the best found before it. */
    stopError: z.string().optional(),
    segments: z.number().int(),
    initial: initialDraftSchema.optional(),
    /** Every draft, when more than one was made. */
    drafts: z.array(scoredDraftSchema).optional(),
    /** How y was split for scoring: the unscored head's length in characters. */
    yHeadChars: z.number().int().optional()
});

export const skippedRecordSchema = z.object({
    ...commonFields,
    status: z.literal("skipped"),
    /** The refusal's sentence (describeRefusal), for people and for readers that predate `refusal`. */
    reason: z.string(),
    /** Why the item was skipped, as data (older traces lack it). */
    refusal: refusalSchema.optional(),
    z0: z.string().optional(),
    initial: initialDraftSchema.optional(),
    drafts: z.array(scoredDraftSchema).optional()
});

export const failedRecordSchema = z.object({
    ...commonFields,
    status: z.literal("failed"),
    /** "Name: message" of the error. */
    error: z.string(),
    /** The same error as data (older traces, and values thrown that are not Errors, lack it). */
    failure: failureSchema.optional(),
    z0: z.string().optional(),
    initial: initialDraftSchema.optional()
});

export const traceRecordSchema = z.discriminatedUnion("status", [doneRecordSchema, skippedRecordSchema, failedRecordSchema]);

export type TraceRecord = z.infer<typeof traceRecordSchema>;
export type DoneRecord = z.infer<typeof doneRecordSchema>;
export type SkippedRecord = z.infer<typeof skippedRecordSchema>;
export type FailedRecord = z.infer<typeof failedRecordSchema>;
export type TraceScore = z.infer<typeof scoreSchema>;
export type TraceStep = z.infer<typeof stepSchema>;
export type InitialDraft = z.infer<typeof initialDraftSchema>;
export type ScoredDraft = z.infer<typeof scoredDraftSchema>;
export type TraceCandidate = z.infer<typeof candidateSchema>;
export type CandidateRejection = z.infer<typeof candidateRejectionSchema>;
export type TraceStatus = TraceRecord["status"];

/** The no-thinking score of a done record, under either name it has had; undefined for records that predate it. */
export function scoreEmptyOf(record: DoneRecord): TraceScore | undefined {
    return record.scoreEmpty ?? record.scoreEmptyZ;
}

/** Why a record did not finish: the skip reason or the failure, undefined for a done record. */
export function recordNote(record: TraceRecord): string | undefined {
    return record.status === "skipped" ? record.reason : record.status === "failed" ? record.error : undefined;
}
