import { z } from "zod";
import { modelIdentitySchema } from "../trace/traceRecordSchema.js";

/**
 * The published shape of `reer evaluate --json`: one entry per evaluated item and a
 * summary. Fixed names: items[].id, ppl_empty, ppl_initial, ppl_final; summary.items,
 * improved_vs_initial, improved_vs_empty, median_drop_vs_initial, median_drop_vs_empty.
 * `reer report --evaluation` reads a file back through this schema, so a file from another
 * tool or an older reer is refused with the field named instead of rendering nonsense.
 */

const ppl = z.number().positive();
/** A clipped mean NLL lies in [0, -clipFloor]. */
const objective = z.number().nonnegative();

export const evaluationItemSchema = z.object({
    id: z.string(),
    /** The record's resume key (unique in a trace, unlike ids of merged shards). */
    key: z.string().optional(),
    /** The item's line in the synthesize input, as its trace record gives it. */
    line: z.number().int().positive().optional(),
    /** Scored tokens of y (the same under all three contexts). */
    tokens: z.number().int().positive().optional(),
    /** exp(mean NLL) of y with no thinking, under z0 and under the final z. */
    ppl_empty: ppl,
    ppl_initial: ppl,
    ppl_final: ppl,
    /** Clipped mean NLL (the paper preset's objective) under the same three contexts. */
    objective_empty: objective,
    objective_initial: objective,
    objective_final: objective
});

/** A trace record that was not evaluated, and why. */
export const notEvaluatedSchema = z.object({
    id: z.string(),
    line: z.number().int().positive(),
    /** The record's status (skipped, failed), or "unscorable" for a done item the scorer could not score. */
    status: z.string(),
    reason: z.string()
});

/** A share of items in 0..1; null when there are no items. */
const share = z.number().min(0).max(1).nullable();

export const evaluationSummarySchema = z.object({
    items: z.number().int().nonnegative(),
    /** Share of items whose final z gives y a strictly lower PPL than z0 / than no thinking. */
    improved_vs_initial: share,
    improved_vs_empty: share,
    /** Median over items of 1 - ppl_final / ppl_other; null when there are no items. */
    median_drop_vs_initial: z.number().max(1).nullable(),
    median_drop_vs_empty: z.number().max(1).nullable(),
    scorer: modelIdentitySchema,
    /** Whether the scorer is another model than the run's own (by the sha256 of its first MiB). */
    held_out: z.boolean(),
    template: z.enum(["paper", "none"]),
    clip_floor: z.number().negative(),
    /** The trace file as given on the command line. */
    trace: z.string().optional(),
    skipped_records: z.array(notEvaluatedSchema),
    /** Ids that appear on more than one line; only the last record of each was evaluated. */
    duplicate_ids: z.array(z.string()),
    /** True when Ctrl-C stopped the run: `items` covers only what was scored before. */
    stopped: z.boolean(),
    /** The scoring context and how much of the KV cache the three contexts of an item shared. */
    scoring: z.object({
        context_size: z.number().int().nonnegative(),
        path: z.string(),
        evaluated_tokens: z.number().int().nonnegative(),
        reused_tokens: z.number().int().nonnegative()
    }).optional(),
    reer_version: z.string().optional()
});

export const evaluationSchema = z.object({
    items: z.array(evaluationItemSchema),
    summary: evaluationSummarySchema
}).refine((evaluation) => evaluation.summary.items === evaluation.items.length, {
    path: ["summary", "items"],
    message: "does not match the number of entries in items"
});

export type Evaluation = z.infer<typeof evaluationSchema>;
export type EvaluationItem = z.infer<typeof evaluationItemSchema>;
export type EvaluationSummary = z.infer<typeof evaluationSummarySchema>;
export type NotEvaluated = z.infer<typeof notEvaluatedSchema>;
