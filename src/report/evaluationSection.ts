import type { Evaluation, EvaluationItem } from "../evaluation/evaluationSchema.js";
import { drop } from "../evaluation/evaluationSummary.js";
import { escapeHtml as h } from "./htmlText.js";

/**
 * The report's block for `--evaluation`: how often the final z beat z0 and no thinking
 * under the evaluation's scorer, and by how much (median relative drop in y's perplexity).
 */
export function renderEvaluationSection(evaluation: Evaluation): string {
    const { summary } = evaluation;
    const facts: [string, string][] = [
        ["Scorer", `${summary.scorer.name} (${summary.held_out ? "held-out judge" : "the run's scorer"}; ${summary.template} layout; ${summary.scorer.headSha256.slice(0, 8)})`],
        ["Items", `${summary.items} evaluated${summary.skipped_records.length > 0 ? `, ${summary.skipped_records.length} not (${summary.skipped_records.map((record) => record.id).join(", ")})` : ""}`],
        ["Final z beats z0", share(summary.improved_vs_initial, summary.items)],
        ["Final z beats no thinking", share(summary.improved_vs_empty, summary.items)],
        ["Median PPL drop vs z0", percent(summary.median_drop_vs_initial)],
        ["Median PPL drop vs no thinking", percent(summary.median_drop_vs_empty)]
    ];
    if (summary.stopped)
        facts.push(["Note", "the evaluation was stopped by an interrupt; it covers only the items scored before"]);
    return `<h2 id="evaluation">What the thinking is worth</h2>
<section class="card evaluation"><p class="caption">From reer evaluate: the perplexity of y with no thinking, with the initial z0 and with the final z, each item scored under the same scorer. A drop is 1 − PPL(final z) / PPL(other); beating means a strictly lower PPL.</p>
<dl class="item-facts">${facts.map(([label, value]) => `<div><dt>${h(label)}</dt><dd>${h(value)}</dd></div>`).join("")}</dl></section>`;
}

/** One item's line in its facts: the three perplexities and the final z's drop against z0. */
export function describeItemPerplexities(item: EvaluationItem): string {
    return `no thinking ${item.ppl_empty.toFixed(3)} · z0 ${item.ppl_initial.toFixed(3)} · final z ${item.ppl_final.toFixed(3)} ` +
        `(drop ${percent(drop(item.ppl_final, item.ppl_initial))} vs z0)`;
}

function percent(value: number | null): string {
    return value == null ? "n/a" : `${(value * 100).toFixed(1)}%`;
}

function share(value: number | null, items: number): string {
    return value == null ? "n/a" : `${Math.round(value * items)} of ${items} (${percent(value)})`;
}
