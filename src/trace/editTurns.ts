import type { TraceCandidate, TraceRecord } from "./traceRecordSchema.js";

/**
 * How the generator's edit turns went, over every step of every record: whether a turn
 * gave a rewrite at all is the first thing a small model fails at, before any score.
 * - usable: a non-empty rewrite was found (a closed block, or an unclosed one the run
 *   accepts); it may still be screened out as identical, copying y, or too long.
 * - tooLong: usable turns refused because z would exceed --max-thinking-tokens.
 * - unusable: no <refine> block, an empty one, or an unclosed one the run rejects.
 */
export type EditTurnCounts = { turns: number; usable: number; tooLong: number; unusable: number };

const UNUSABLE_REASONS: ReadonlySet<NonNullable<TraceCandidate["reason"]>> = new Set(["no-refine-block", "empty", "unclosed"]);

export function countEditTurns(records: Iterable<TraceRecord>): EditTurnCounts {
    const counts: EditTurnCounts = { turns: 0, usable: 0, tooLong: 0, unusable: 0 };
    for (const record of records) {
        for (const step of record.steps) {
            for (const candidate of step.candidates)
                addTurn(counts, candidate);
        }
    }
    return counts;
}

export function addTurn(counts: EditTurnCounts, candidate: TraceCandidate): void {
    // Only the edit turn answers with a <refine> block: a resampled paragraph or a removal (--prune) is no such turn.
    if (candidate.proposer != null)
        return;
    counts.turns++;
    if (candidate.status === "rejected" && candidate.reason != null && UNUSABLE_REASONS.has(candidate.reason)) {
        counts.unusable++;
        return;
    }
    counts.usable++;
    if (candidate.reason === "too-long")
        counts.tooLong++;
}

/** One line for summaries: "24 edit turns: 22 usable (91.7%), 1 of them refused as too long; 2 unusable". */
export function describeEditTurns(counts: EditTurnCounts): string {
    if (counts.turns === 0)
        return "no edit turns";
    const share = ((counts.usable / counts.turns) * 100).toFixed(1);
    return `${counts.turns} edit turn(s): ${counts.usable} usable (${share}%), ${counts.tooLong} of them refused as too long; ${counts.unusable} unusable (no, empty or unclosed <refine> block)`;
}

/** Per proposer (the edit turn's block, a resampled paragraph, or a removal): candidates, usable ones, and those a step accepted. */
export type ProposerCounts = Record<ProposerKind, { candidates: number; usable: number; accepted: number }>;

/** Who made a candidate: the edit turn (no proposer field, as in older traces), or the trace's named proposer. */
export type ProposerKind = "rewrite" | NonNullable<TraceCandidate["proposer"]>;

export function countByProposer(records: Iterable<TraceRecord>): ProposerCounts {
    const counts: ProposerCounts = { rewrite: { candidates: 0, usable: 0, accepted: 0 }, resample: { candidates: 0, usable: 0, accepted: 0 }, prune: { candidates: 0, usable: 0, accepted: 0 } };
    for (const record of records) {
        for (const step of record.steps) {
            step.candidates.forEach((candidate, index) => {
                const entry = counts[candidate.proposer ?? "rewrite"];
                entry.candidates++;
                if (!(candidate.status === "rejected" && candidate.reason != null && UNUSABLE_REASONS.has(candidate.reason)))
                    entry.usable++;
                if (step.chosen === index)
                    entry.accepted++;
            });
        }
    }
    return counts;
}
