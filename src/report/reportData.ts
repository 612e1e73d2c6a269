import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { improvementOf } from "./chooseItem.js";
import { histogram, type Histogram } from "./histogram.js";

/** What the page's charts and item picker know about one item (text kept short). */
export type ItemSummary = {
    id: string;
    status: TraceRecord["status"];
    /** Objective drop over the search; null when the item was never scored. */
    improvement: number | null;
    /** Clipped mean NLL of y under z0 and under z. */
    before: number | null;
    after: number | null;
    steps: number;
    accepted: number;
    /** The first characters of x, for tooltips. */
    xPreview: string;
};

/** Everything the inline script draws, embedded as JSON. */
export type ReportData = {
    objective: string;
    items: ItemSummary[];
    /** Per step index (1-based), over the items that ran that many steps. */
    stepGain: { step: number[]; meanGain: number[]; items: number[]; accepted: number[] };
    /** Objective after each step (index 0: z0) for the most improved items, and the mean over all. */
    runningBest: { series: { item: number; values: number[] }[]; mean: number[] };
    /** Per segment position (0-based): visits and accepted rewrites. */
    acceptance: { segment: number[]; visits: number[]; accepted: number[] };
    lengths: { x: Histogram; y: Histogram; yTokens: Histogram; z: Histogram };
    status: { labels: string[]; counts: number[] };
    /** What became of every candidate: accepted, scored but not better, or a rejection reason. */
    candidates: { labels: string[]; counts: number[] };
};

const PREVIEW_CHARS = 160;
/** Lines beyond a dozen turn the running-best chart into a tangle. */
const RUNNING_BEST_LINES = 12;

export function buildReportData(records: readonly TraceRecord[]): ReportData {
    const items = records.map(summarise);
    return {
        objective: [...new Set(records.map((record) => record.objective))].join(", "),
        items,
        stepGain: stepGains(records),
        runningBest: runningBest(records, items),
        acceptance: acceptanceBySegment(records),
        lengths: lengthHistograms(records),
        status: tally(records.map((record) => record.status), ["done", "skipped", "failed"]),
        candidates: candidateOutcomes(records)
    };
}

function summarise(record: TraceRecord): ItemSummary {
    return {
        id: record.id,
        status: record.status,
        improvement: improvementOf(record) ?? null,
        before: record.status === "done" ? record.score0.clippedMeanNll : null,
        after: record.status === "done" ? record.score.clippedMeanNll : null,
        steps: record.steps.length,
        accepted: record.steps.filter((step) => step.chosen != null).length,
        xPreview: codePoints(record.x) > PREVIEW_CHARS ? `${[...record.x].slice(0, PREVIEW_CHARS).join("")}…` : record.x
    };
}

/** The drop of the best objective at each step: objective before the step minus after it. */
function gainsOf(record: TraceRecord): number[] {
    if (record.status !== "done")
        return [];
    let previous = record.objective0;
    return record.steps.map((step) => {
        const gain = previous - step.best;
        previous = step.best;
        return gain;
    });
}

function stepGains(records: readonly TraceRecord[]): ReportData["stepGain"] {
    const sums: number[] = [];
    const counts: number[] = [];
    const accepted: number[] = [];
    for (const record of records) {
        gainsOf(record).forEach((gain, index) => {
            sums[index] = (sums[index] ?? 0) + gain;
            counts[index] = (counts[index] ?? 0) + 1;
            accepted[index] = (accepted[index] ?? 0) + (record.steps[index]!.chosen != null ? 1 : 0);
        });
    }
    return {
        step: counts.map((_, index) => index + 1),
        meanGain: sums.map((sum, index) => sum / counts[index]!),
        items: counts,
        accepted
    };
}

function runningBest(records: readonly TraceRecord[], items: ItemSummary[]): ReportData["runningBest"] {
    const curves = records.map((record) => record.status !== "done" || record.steps.length === 0
        ? undefined
        : [record.objective0, ...record.steps.map((step) => step.best)]);
    const ranked = curves
        .map((values, item) => ({ item, values, gain: items[item]!.improvement ?? 0 }))
        .filter((entry): entry is { item: number; values: number[]; gain: number } => entry.values != null)
        .sort((a, b) => b.gain - a.gain);
    // Items that stopped early keep their last value, so the mean covers every item at every step.
    const longest = ranked.reduce((most, entry) => Math.max(most, entry.values.length), 0);
    const mean = Array.from({ length: longest }, (_, step) =>
        ranked.reduce((sum, entry) => sum + (entry.values[Math.min(step, entry.values.length - 1)] ?? 0), 0) / ranked.length);
    return { series: ranked.slice(0, RUNNING_BEST_LINES).map(({ item, values }) => ({ item, values })), mean };
}

function acceptanceBySegment(records: readonly TraceRecord[]): ReportData["acceptance"] {
    const visits: number[] = [];
    const accepted: number[] = [];
    for (const record of records) {
        for (const step of record.steps) {
            visits[step.segment] = (visits[step.segment] ?? 0) + 1;
            accepted[step.segment] = (accepted[step.segment] ?? 0) + (step.chosen != null ? 1 : 0);
        }
    }
    // Array.from fills the holes a sparse segment list would leave.
    const positions = Array.from(visits, (_, index) => index);
    return {
        segment: positions,
        visits: positions.map((index) => visits[index] ?? 0),
        accepted: positions.map((index) => accepted[index] ?? 0)
    };
}

function lengthHistograms(records: readonly TraceRecord[]): ReportData["lengths"] {
    const trajectories = records.filter((record) => record.z0 != null);
    const yTokens = records.flatMap((record) => record.status === "done" ? [record.score.tokenCount] : []);
    return {
        x: histogram([{ label: "x", values: records.map((record) => codePoints(record.x)) }]),
        y: histogram([{ label: "y", values: records.map((record) => codePoints(record.y)) }]),
        yTokens: histogram([{ label: "scored y tokens", values: yTokens }]),
        z: histogram([
            { label: "z0 (initial)", values: trajectories.map((record) => codePoints(record.z0!)) },
            { label: "z (final)", values: trajectories.map((record) => codePoints(record.status === "done" ? record.z : record.z0!)) }
        ])
    };
}

function candidateOutcomes(records: readonly TraceRecord[]): ReportData["candidates"] {
    const outcomes = records.flatMap((record) => record.steps.flatMap((step) => step.candidates.map((candidate, index) => {
        if (index === step.chosen)
            return "accepted";
        return candidate.status === "scored" ? "scored, not better" : `rejected: ${candidate.reason ?? "unknown"}`;
    })));
    return tally(outcomes, ["accepted", "scored, not better"]);
}

/** Counts per label: the `first` labels always (in that order), then the rest by count. */
function tally(values: readonly string[], first: readonly string[]): { labels: string[]; counts: number[] } {
    const counts = new Map<string, number>(first.map((label) => [label, 0]));
    for (const value of values)
        counts.set(value, (counts.get(value) ?? 0) + 1);
    const rest = [...counts.keys()].filter((label) => !first.includes(label)).sort((a, b) => counts.get(b)! - counts.get(a)!);
    const labels = [...first, ...rest];
    return { labels, counts: labels.map((label) => counts.get(label)!) };
}

/** Length in Unicode code points, so one CJK ideograph or emoji counts once. */
export function codePoints(text: string): number {
    let count = 0;
    for (const _ of text)
        count++;
    return count;
}
