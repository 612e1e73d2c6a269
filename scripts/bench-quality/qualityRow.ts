import type { Evaluation } from "../../src/evaluation/evaluationSchema.js";
import { distribution } from "../../src/util/distribution.js";
import { countEditTurns } from "../../src/trace/editTurns.js";
import { longestSharedRun } from "../../src/text/longestSharedRun.js";
import { ngrams, textUnits } from "../../src/text/textUnits.js";
import type { DoneRecord, TraceRecord, TraceStep } from "../../src/trace/traceRecordSchema.js";
import { summariseVersusEmpty } from "../../src/trace/versusEmpty.js";

/** Word n-grams for leakage: REER-PT reports 13-gram overlap of its annotations with the text. */
export const LEAKAGE_N = 13;
/** A shorter n-gram shows quotes stitched together under the copy limit, which 13-grams miss. */
export const QUOTE_N = 8;

/** What the thinking is worth under one scorer, from `reer evaluate --json`. */
export type JudgeFigures = {
    /** Share of items whose z* gives y a lower PPL than no thinking. */
    beatsEmpty: number | null;
    /** Median of 1 - ppl(z*) / ppl(z0), and of 1 - ppl(z*) / ppl(no thinking). */
    medianDropVsInitial: number | null;
    medianDropVsEmpty: number | null;
};

/** One configuration's row of the quality table. */
export type QualityRow = {
    configuration: string;
    items: number;
    done: number;
    skipped: number;
    failed: number;
    editTurns: number;
    usableRewriteRate: number | null;
    /** Steps that accepted a rewrite, over steps that asked for one (removals under --prune are counted apart). */
    acceptanceRate: number | null;
    /** Segments removed by --prune, per done item. */
    removalsPerItem: number | null;
    /** Share of done items whose search objective ended strictly below z0's. */
    belowInitialByObjective: number | null;
    /** Share of done items whose z* beats no thinking by the objective the search minimises (the run's own scorer). */
    belowEmptyByObjective: number | null;
    own: JudgeFigures;
    judge: JudgeFigures | null;
    /** Share of z*'s word 13-grams (over the whole run) that occur in y. */
    leakageNgramShare: number;
    /** The same for word 8-grams: quotes shorter than the copy limit. */
    quoteNgramShare: number;
    /** Longest verbatim run any z* shares with its y, in characters. */
    longestSharedRun: number;
    itemsPerHour: number | null;
    tokensGeneratedPerItem: number | null;
    tokensScoredPerItem: number | null;
};

const share = (count: number, total: number): number | null => (total === 0 ? null : count / total);
const mean = (values: readonly number[]): number | null => distribution(values).mean;

const median = (values: readonly number[]): number | null => distribution(values).median;

/** The figures over the evaluated items whose ids are in `ids` (all when absent): a run limited to the first N pairs reads only those. */
export function judgeFigures(evaluation: Evaluation, ids?: ReadonlySet<string>): JudgeFigures {
    const items = evaluation.items.filter((item) => ids == null || ids.has(item.id));
    return {
        beatsEmpty: share(items.filter((item) => item.ppl_final < item.ppl_empty).length, items.length),
        medianDropVsInitial: median(items.map((item) => 1 - item.ppl_final / item.ppl_initial)),
        medianDropVsEmpty: median(items.map((item) => 1 - item.ppl_final / item.ppl_empty))
    };
}

/** z*'s n-grams found in y, and all of z*'s n-grams, counted with repeats. */
export function ngramLeakage(z: string, y: string, n = LEAKAGE_N): { shared: number; total: number } {
    const yGrams = new Set(ngrams(textUnits(y, "word"), n, "word"));
    const zGrams = ngrams(textUnits(z, "word"), n, "word");
    return { shared: zGrams.filter((gram) => yGrams.has(gram)).length, total: zGrams.length };
}

export function qualityRow(configuration: string, records: readonly TraceRecord[], own: Evaluation, judge: Evaluation | undefined): QualityRow {
    const ids = new Set(records.map((record) => record.id));
    const done = records.filter((record): record is DoneRecord => record.status === "done");
    const turns = countEditTurns(records);
    const isRemoval = (step: TraceStep) => step.candidates.some((candidate) => candidate.proposer === "prune");
    const steps = done.flatMap((record) => record.steps).filter((step) => !isRemoval(step));
    const removals = done.flatMap((record) => record.steps).filter((step) => isRemoval(step) && step.chosen != null);
    const versus = summariseVersusEmpty(done);
    const leakageShare = (n: number) => {
        const counts = done.map((record) => ngramLeakage(record.z, record.y, n));
        const total = counts.reduce((sum, entry) => sum + entry.total, 0);
        return total === 0 ? 0 : counts.reduce((sum, entry) => sum + entry.shared, 0) / total;
    };
    const meanMs = mean(records.map((record) => record.timings.totalMs));
    return {
        configuration,
        items: records.length,
        done: done.length,
        skipped: records.filter((record) => record.status === "skipped").length,
        failed: records.filter((record) => record.status === "failed").length,
        editTurns: turns.turns,
        usableRewriteRate: share(turns.usable, turns.turns),
        acceptanceRate: share(steps.filter((step) => step.chosen != null).length, steps.length),
        removalsPerItem: done.length === 0 ? null : removals.length / done.length,
        belowInitialByObjective: share(done.filter((record) => record.objectiveFinal < record.objective0).length, done.length),
        belowEmptyByObjective: share(versus.beaten, versus.items),
        own: judgeFigures(own, ids),
        judge: judge == null ? null : judgeFigures(judge, ids),
        leakageNgramShare: leakageShare(LEAKAGE_N),
        quoteNgramShare: leakageShare(QUOTE_N),
        longestSharedRun: Math.max(0, ...done.map((record) => longestSharedRun(record.z, record.y))),
        itemsPerHour: meanMs == null || meanMs === 0 ? null : 3_600_000 / meanMs,
        tokensGeneratedPerItem: mean(records.map((record) => record.tokens.generated)),
        tokensScoredPerItem: mean(records.map((record) => record.tokens.scoringEvaluated))
    };
}

const percent = (value: number | null, digits = 0) => (value == null ? "-" : `${(value * 100).toFixed(digits)}%`);
const number = (value: number | null, digits = 0) => (value == null ? "-" : value.toFixed(digits));

/** The rows as a Markdown table (the README keeps it). */
export function formatQualityTable(rows: readonly QualityRow[], judgeName: string): string {
    const header = ["configuration", "items done/skipped/failed", "usable rewrites", "accepted steps", "segments removed/item", "z* < z0 (objective)",
        "z* < no thinking (objective)", "z* < no thinking (own PPL)", "median drop vs z0 (own)", "median drop vs none (own)",
        `z* < no thinking (${judgeName})`, `median drop vs z0 (${judgeName})`, `median drop vs none (${judgeName})`,
        `${LEAKAGE_N}-gram leakage`, `${QUOTE_N}-gram leakage`, "longest run shared with y", "items/hour", "tokens generated/item", "tokens scored/item"];
    const lines = rows.map((row) => [
        row.configuration, `${row.done}/${row.skipped}/${row.failed} of ${row.items}`, percent(row.usableRewriteRate), percent(row.acceptanceRate), number(row.removalsPerItem, 1),
        percent(row.belowInitialByObjective), percent(row.belowEmptyByObjective), percent(row.own.beatsEmpty), percent(row.own.medianDropVsInitial, 1), percent(row.own.medianDropVsEmpty, 1),
        percent(row.judge?.beatsEmpty ?? null), percent(row.judge?.medianDropVsInitial ?? null, 1), percent(row.judge?.medianDropVsEmpty ?? null, 1),
        percent(row.leakageNgramShare, 2), percent(row.quoteNgramShare, 1), `${row.longestSharedRun} chars`, number(row.itemsPerHour, 1), number(row.tokensGeneratedPerItem), number(row.tokensScoredPerItem)
    ]);
    return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n") + "\n";
}
