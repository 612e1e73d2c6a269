import type { TokenCounter } from "../model/tokenCounter.js";
import type { DoneRecord, TraceRecord } from "../trace/traceRecordSchema.js";
import { distribution, type Distribution } from "../util/distribution.js";
import { countByProposer, countEditTurns, type EditTurnCounts, type ProposerCounts } from "../trace/editTurns.js";
import { summariseVersusEmpty } from "../trace/versusEmpty.js";
import { sumWork, type WorkTotals } from "../trace/workTotals.js";
import { groupReasons, reasonEntry, type ReasonCount as GroupedReason } from "./reasonGroups.js";

export type ReasonCount = GroupedReason<"skipped" | "failed">;
export type StepAcceptance = { stepIndex: number; reached: number; accepted: number; rate: number };

/** What a trace file holds. Everything past the status counts is over done items only. */
export type StatsReport = {
    items: number;
    byStatus: { done: number; skipped: number; failed: number };
    /** Most common skip and failure reasons, by kind, measured numbers shown as ranges: "57-80 tokens" (see reasonGroups.ts). */
    topReasons: ReasonCount[];
    tokenCounting: string;
    lengths: { x: Distribution; y: Distribution; z0: Distribution; z: Distribution };
    /** Steps taken per item, and how many of them accepted a rewrite. */
    steps: Distribution;
    acceptedSteps: Distribution;
    /** For each step index i: items that took step i, and how often it accepted a candidate. */
    acceptance: StepAcceptance[];
    stopReasons: Record<string, number>;
    /** The generator's edit turns over all records: how many gave a usable rewrite. */
    editTurns: EditTurnCounts;
    /** Candidates, usable ones and accepted ones by who proposed them (--proposer). */
    proposers: ProposerCounts;
    /** Done items with a no-thinking score, how many z* beat it, and the PPL drops 1 - ppl / pplEmpty. */
    versusEmpty: { items: number; beaten: number; pplDrop: Distribution };
    scores: {
        clippedMeanNllBefore: Distribution;
        clippedMeanNllAfter: Distribution;
        pplBefore: Distribution;
        pplAfter: Distribution;
        /** score0.clippedMeanNll - score.clippedMeanNll: positive means the search helped. */
        improvement: Distribution;
        improvedItems: number;
    };
    perItem: {
        totalMs: Distribution;
        generationMs: Distribution;
        /** Over items whose trace records the split of generation into drafting and proposing. */
        draftingMs: Distribution;
        proposingMs: Distribution;
        /** Over items whose trace records it (older traces do not). */
        promptEvalMs: Distribution;
        scoringMs: Distribution;
        tokensGenerated: Distribution;
        promptEvaluated: Distribution;
        promptReused: Distribution;
        scoringEvaluated: Distribution;
        scoringReused: Distribution;
    };
    /** Sums over every item, whatever its status: what the run cost. */
    totals: { totalMs: number; tokensGenerated: number; scoringEvaluated: number };
    /** The same sums in full: tokens by kind, time and tokens/s by phase, items per hour. */
    work: WorkTotals;
};

export const TOP_REASONS = 5;

export function computeStats(records: Iterable<TraceRecord>, counter: TokenCounter): StatsReport {
    const all = [...records];
    const done = all.filter((record): record is DoneRecord => record.status === "done");
    const values = doneValues(done);
    const improvements = done.map((record) => record.score0.clippedMeanNll - record.score.clippedMeanNll);
    const stopReasons: Record<string, number> = {};
    for (const record of done)
        stopReasons[record.stopReason] = (stopReasons[record.stopReason] ?? 0) + 1;
    const versusEmpty = summariseVersusEmpty(done);
    return {
        items: all.length,
        byStatus: {
            done: done.length,
            skipped: all.filter((record) => record.status === "skipped").length,
            failed: all.filter((record) => record.status === "failed").length
        },
        topReasons: topReasons(all),
        tokenCounting: counter.description,
        lengths: {
            x: values((record) => counter.count(record.x)),
            y: values((record) => counter.count(record.y)),
            z0: values((record) => (record.z0 == null ? undefined : counter.count(record.z0))),
            z: values((record) => counter.count(record.z))
        },
        steps: values((record) => record.steps.length),
        acceptedSteps: values((record) => record.steps.filter((step) => step.chosen != null).length),
        acceptance: acceptanceByStep(done),
        stopReasons,
        editTurns: countEditTurns(all),
        proposers: countByProposer(all),
        versusEmpty: { items: versusEmpty.items, beaten: versusEmpty.beaten, pplDrop: distribution(versusEmpty.pplDrops) },
        scores: {
            clippedMeanNllBefore: values((record) => record.score0.clippedMeanNll),
            clippedMeanNllAfter: values((record) => record.score.clippedMeanNll),
            pplBefore: values((record) => record.score0.ppl),
            pplAfter: values((record) => record.score.ppl),
            improvement: distribution(improvements),
            improvedItems: improvements.filter((gain) => gain > 0).length
        },
        perItem: perItemCosts(values),
        totals: {
            totalMs: all.reduce((sum, record) => sum + record.timings.totalMs, 0),
            tokensGenerated: all.reduce((sum, record) => sum + record.tokens.generated, 0),
            scoringEvaluated: all.reduce((sum, record) => sum + record.tokens.scoringEvaluated, 0)
        },
        work: sumWork(all)
    };
}

type DoneValues = (pick: (record: DoneRecord) => number | undefined) => Distribution;

/** The distribution of one measure over done items, leaving out those that do not record it. */
function doneValues(done: readonly DoneRecord[]): DoneValues {
    return (pick) => distribution(done.map(pick).filter((value): value is number => value != null));
}

function perItemCosts(values: DoneValues): StatsReport["perItem"] {
    return {
        totalMs: values((record) => record.timings.totalMs),
        generationMs: values((record) => record.timings.generationMs),
        draftingMs: values((record) => record.timings.draftingMs),
        proposingMs: values((record) => record.timings.proposingMs),
        promptEvalMs: values((record) => record.timings.promptEvalMs),
        scoringMs: values((record) => record.timings.scoringMs),
        tokensGenerated: values((record) => record.tokens.generated),
        promptEvaluated: values((record) => record.tokens.promptEvaluated),
        promptReused: values((record) => record.tokens.promptReused),
        scoringEvaluated: values((record) => record.tokens.scoringEvaluated),
        scoringReused: values((record) => record.tokens.scoringReused)
    };
}

function acceptanceByStep(done: readonly TraceRecord[]): StepAcceptance[] {
    const longest = Math.max(0, ...done.map((record) => record.steps.length));
    const rows: StepAcceptance[] = [];
    for (let stepIndex = 0; stepIndex < longest; stepIndex++) {
        const reached = done.filter((record) => record.steps.length > stepIndex);
        const accepted = reached.filter((record) => record.steps[stepIndex]!.chosen != null).length;
        rows.push({ stepIndex, reached: reached.length, accepted, rate: accepted / reached.length });
    }
    return rows;
}

function topReasons(records: readonly TraceRecord[]): ReasonCount[] {
    return groupReasons(records.flatMap((record) => record.status === "done" ? [] : [reasonEntry(record)])).slice(0, TOP_REASONS);
}
