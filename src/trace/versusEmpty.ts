import { distribution } from "../util/distribution.js";
import { scoreEmptyOf, type DoneRecord } from "./traceRecordSchema.js";

/**
 * How a done item's final thinking compares with no thinking at all, under the run's own
 * scorer: the question the data exists to answer. "Beats" is judged by the measure the
 * search minimised (the clipped mean NLL for the paper's objective; the mean NLL for the
 * others, which rank equally on the same scored tokens); the PPL drop is 1 - ppl / pplEmpty.
 */
export type VersusEmpty = { beats: boolean; gain: number; pplDrop: number };

export function versusEmpty(record: DoneRecord): VersusEmpty | undefined {
    const empty = scoreEmptyOf(record);
    if (empty == null)
        return undefined;
    const measure = record.objective === "clippedMeanNll" ? "clippedMeanNll" : "meanNll";
    const gain = empty[measure] - record.score[measure];
    return { beats: gain > 0, gain, pplDrop: 1 - record.score.ppl / empty.ppl };
}

/** Over a run: items with a no-thinking score, how many beat it, and the PPL drops. */
export type VersusEmptySummary = { items: number; beaten: number; pplDrops: number[] };

export function summariseVersusEmpty(records: Iterable<DoneRecord>): VersusEmptySummary {
    const summary: VersusEmptySummary = { items: 0, beaten: 0, pplDrops: [] };
    for (const record of records)
        addVersusEmpty(summary, record);
    return summary;
}

/** Adds one record to a running summary (a long run keeps only these numbers, not its records). */
export function addVersusEmpty(summary: VersusEmptySummary, record: DoneRecord): void {
    const comparison = versusEmpty(record);
    if (comparison == null)
        return;
    summary.items++;
    if (comparison.beats)
        summary.beaten++;
    summary.pplDrops.push(comparison.pplDrop);
}

/**
 * One line: "z* beats no thinking on 7 of 8 item(s) by the objective the search minimises; median PPL
 * 4.1% lower than with no thinking". The two can disagree: the paper's objective clips each
 * token's log-probability, PPL does not.
 */
export function describeVersusEmpty(summary: VersusEmptySummary): string {
    if (summary.items === 0)
        return "no item has a no-thinking score to compare with";
    const median = distribution(summary.pplDrops).median!;
    const change = `${(Math.abs(median) * 100).toFixed(1)}% ${median >= 0 ? "lower" : "higher"}`;
    return `z* beats no thinking on ${summary.beaten} of ${summary.items} item(s) by the objective the search minimises; median PPL ${change} than with no thinking`;
}
