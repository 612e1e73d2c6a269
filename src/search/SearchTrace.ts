import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import type { ProposerKind } from "../trace/editTurns.js";
import type { CandidateRejection } from "../trace/traceRecordSchema.js";

export type { CandidateRejection } from "../trace/traceRecordSchema.js";

export type CandidateStatus = "scored" | "rejected";

export type { ProposerKind } from "../trace/editTurns.js";

/** One proposed rewrite of a segment and what happened to it. */
export type CandidateTrace = {
    /** The generator's whole turn, pre-fill included. */
    raw: string;
    /** The rewritten segment, when a <refine> block was found (or the resampled paragraph). */
    text?: string;
    /** Absent for the edit turn, as in traces from before there was a choice. */
    proposer?: Exclude<ProposerKind, "rewrite">;
    status: CandidateStatus;
    reason?: CandidateRejection;
    score?: ScoreAggregates;
    /** The objective value; lower is better. */
    objective?: number;
    tokensGenerated?: number;
};

/** One visit of one segment. */
export type StepTrace = {
    pass: number;
    segment: number;
    original: string;
    candidates: CandidateTrace[];
    /** Index into candidates of the winner, or null when the original was kept. */
    chosen: number | null;
    /** Objective of the best trajectory after this step. */
    best: number;
    /** Full score of the best trajectory after this step. */
    bestScore: ScoreAggregates;
};

/**
 * Why the search ended. "error": a generation or a scoring call failed midway; the result
 * is the best trajectory found before it, with the error in `stopError`.
 */
export type SearchStopReason = "below-threshold" | "initial-below-threshold" | "max-steps" | "all-segments" | "patience" | "no-steps" | "error";

export type SearchResult = {
    segments0: string[];
    segments: string[];
    z0: string;
    z: string;
    score0: ScoreAggregates;
    score: ScoreAggregates;
    objective0: number;
    objective: number;
    steps: StepTrace[];
    stopReason: SearchStopReason;
    stopError?: string;
};
