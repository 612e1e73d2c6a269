import type { TraceRecord } from "./traceRecordSchema.js";
import { formatDuration } from "../util/formatDuration.js";

/** Time and tokens of one phase over many items; `tokensPerSecond` is undefined with no time recorded. */
export type PhaseWork = { ms: number; tokens: number; tokensPerSecond: number | undefined };

/** What a set of records cost, summed: the accounting of a run (or of a trace read back). */
export type WorkTotals = {
    items: number;
    /** Item time summed: the run's wall time when items ran one at a time. */
    itemMs: number;
    /** Items per hour of item time (3.6e6 x items / itemMs); undefined with no time recorded. */
    itemsPerHour: number | undefined;
    tokens: { generated: number; promptEvaluated: number; promptReused: number; scored: number; scoringReused: number };
    /**
     * Drafting and proposing split the generator's time and tokens, scoring is the scorer's;
     * the split is over the records that carry it (traces written before it have only the sum).
     */
    phases: { drafting: PhaseWork; proposing: PhaseWork; scoring: PhaseWork };
};

function phase(ms: number, tokens: number): PhaseWork {
    return { ms, tokens, tokensPerSecond: ms > 0 ? tokens / (ms / 1000) : undefined };
}

/** The part of a record that says what it cost. */
export type RecordWork = Pick<TraceRecord, "tokens" | "timings">;

/** Sums the work of `records`, whatever their status. */
export function sumWork(records: Iterable<RecordWork>): WorkTotals {
    let items = 0;
    let itemMs = 0;
    const tokens = { generated: 0, promptEvaluated: 0, promptReused: 0, scored: 0, scoringReused: 0 };
    const split = { draftingMs: 0, draftingTokens: 0, proposingMs: 0, proposingTokens: 0, scoringMs: 0 };
    for (const record of records) {
        items++;
        itemMs += record.timings.totalMs;
        tokens.generated += record.tokens.generated;
        tokens.promptEvaluated += record.tokens.promptEvaluated ?? 0;
        tokens.promptReused += record.tokens.promptReused ?? 0;
        tokens.scored += record.tokens.scoringEvaluated;
        tokens.scoringReused += record.tokens.scoringReused;
        split.scoringMs += record.timings.scoringMs;
        split.draftingMs += record.timings.draftingMs ?? 0;
        split.proposingMs += record.timings.proposingMs ?? 0;
        split.draftingTokens += record.tokens.generatedDrafting ?? 0;
        split.proposingTokens += record.tokens.generatedProposing ?? 0;
    }
    return {
        items, itemMs,
        itemsPerHour: itemMs > 0 ? items / (itemMs / 3_600_000) : undefined,
        tokens,
        phases: {
            drafting: phase(split.draftingMs, split.draftingTokens),
            proposing: phase(split.proposingMs, split.proposingTokens),
            scoring: phase(split.scoringMs, tokens.scored)
        }
    };
}

const count = (value: number): string => value.toLocaleString("en-US");
const rate = (value: number | undefined): string => (value == null ? "n/a" : value.toFixed(1));

/** The accounting in three phrases, for the run summary, `reer stats` and the report's header. */
export function describeWork(work: WorkTotals): { items: string; tokens: string; phases: string } {
    const { drafting, proposing, scoring } = work.phases;
    const phase = (name: string, work: PhaseWork) => `${name} ${rate(work.tokensPerSecond)} (${formatDuration(work.ms / 1000, 1)})`;
    return {
        items: `${count(work.items)} item(s) in ${formatDuration(work.itemMs / 1000, 1)} of item time, ${work.itemsPerHour == null ? "n/a" : work.itemsPerHour.toFixed(1)} items per hour one at a time`,
        tokens: `${count(work.tokens.generated)} generated, ${count(work.tokens.promptEvaluated)} prompt tokens evaluated and ${count(work.tokens.promptReused)} reused from the cache, ` +
            `${count(work.tokens.scored)} scored (${count(work.tokens.scoringReused)} reused)`,
        phases: `${phase("drafting", drafting)}, ${phase("proposing", proposing)}, ${phase("scoring", scoring)}`
    };
}

/** The accounting as text lines. */
export function workLines(work: WorkTotals): string[] {
    const text = describeWork(work);
    return [text.items, `tokens: ${text.tokens}`, `tokens/s by phase: ${text.phases}`];
}
