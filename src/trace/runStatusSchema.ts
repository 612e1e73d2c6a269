import { z } from "zod";

/** Where a run is: set up, working, or ended (finished, stopped by a signal, failed with an error). */
export const runStateSchema = z.enum(["starting", "running", "finished", "stopped", "failed"]);
export type RunState = z.infer<typeof runStateSchema>;

/** One item in flight: which, and what it is doing. */
export const itemInFlightSchema = z.object({
    id: z.string(),
    /** "drafting" the initial trajectory, "scoring" drafts, or "step" n of m of the search. */
    phase: z.enum(["drafting", "scoring", "step"]),
    step: z.number().int().optional(),
    steps: z.number().int().optional(),
    /** Tokens generated in the current phase so far. */
    tokens: z.number().int(),
    since: z.string()
});

/**
 * `<output>.status.json`: what a running `reer synthesize` is doing, rewritten atomically
 * every few seconds and at each item's end, so an operator (or `reer status`) can follow a
 * run with no terminal attached. A writer killed without warning leaves the file as it
 * was: `pid`, `host` and `updatedAt` tell a reader that nobody keeps it current.
 */
export const runStatusSchema = z.object({
    format: z.literal("reer-status/1"),
    state: runStateSchema,
    /** The error that ended a failed run. */
    error: z.string().optional(),
    pid: z.number().int(),
    host: z.string(),
    output: z.string(),
    shard: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
    startedAt: z.string(),
    updatedAt: z.string(),
    /** How often the writer rewrites the file while it runs, so a reader can tell a stale one. */
    intervalMs: z.number().int(),
    items: z.object({
        /** Items of the input in this shard (all of them without sharding). */
        total: z.number().int(),
        /** Done or skipped in earlier runs (or other shards' files), not redone. */
        alreadyDone: z.number().int(),
        done: z.number().int(),
        skipped: z.number().int(),
        failed: z.number().int(),
        inFlight: z.number().int(),
        /** Not started yet. */
        pending: z.number().int()
    }),
    inFlight: z.array(itemInFlightSchema),
    tokens: z.object({ generated: z.number().int(), scored: z.number().int() }),
    /** Tokens generated per second over the last minute. */
    tokensPerSecond: z.number(),
    /** Seconds until every item is written, from this run's items so far; null before the first. */
    etaSeconds: z.number().nullable()
});

export type RunStatus = z.infer<typeof runStatusSchema>;
export type ItemInFlight = z.infer<typeof itemInFlightSchema>;

/** The status file of a synthesize output (or of one shard's output file). */
export const statusFileOf = (output: string): string => `${output}.status.json`;
