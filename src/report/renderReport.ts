import type { Evaluation } from "../evaluation/evaluationSchema.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { chartJsSource } from "./chartJsSource.js";
import { chooseItem, improvementOf } from "./chooseItem.js";
import { renderEvaluationSection } from "./evaluationSection.js";
import { escapeHtml as h, inlineScript, jsonForScript } from "./htmlText.js";
import { renderItemView } from "./itemView.js";
import { matchEvaluation } from "./matchEvaluation.js";
import { reportClientScript } from "./reportClientScript.js";
import { buildReportData, type ReportData } from "./reportData.js";
import { reportStyles } from "./reportStyles.js";
import { runFacts } from "./runFacts.js";
import type { TokenComparison } from "./tokenComparison.js";

export type RenderReportOptions = {
    /** The trace file's name, for the title and the hints (default "trace.jsonl"). */
    source?: string;
    /** Item to open on, by id or resume key (default: the most improved one). */
    itemId?: string;
    /** Per-token log-probabilities of one item (from compareTokenLogprobs), shown in its view. */
    tokens?: TokenComparison;
    /** Items with a full view in the picker (default 50); the charts always cover every item. */
    maxItems?: number;
    /** Chart.js's UMD build (default: read from the installed package). */
    chartJs?: string;
    /** A `reer evaluate --json` result for this trace: a summary block and each item's perplexities. */
    evaluation?: Evaluation;
    /** The evaluation file's name, for errors about it (default "the evaluation"). */
    evaluationSource?: string;
    /** Shown in the header (default: now). */
    generatedAt?: Date;
};

export const DEFAULT_MAX_ITEMS = 50;

/**
 * One self-contained HTML page for a synthesis trace: run facts, charts over all items
 * (drawn by inlined Chart.js from an embedded JSON block) and a detailed view of chosen
 * items. Nothing is fetched when the page opens.
 */
export function renderReport(records: readonly TraceRecord[], options: RenderReportOptions = {}): string {
    const source = options.source ?? "trace.jsonl";
    const chosen = chooseItem(records, options.itemId);
    const shown = itemsToShow(records, chosen, options.maxItems ?? DEFAULT_MAX_ITEMS);
    const data = buildReportData(records);
    const generatedAt = options.generatedAt ?? new Date();
    const tokensFor = (record: TraceRecord) => options.tokens != null && options.tokens.itemKey === record.key ? options.tokens : undefined;
    const evaluated = options.evaluation == null ? undefined : matchEvaluation(records, options.evaluation, options.evaluationSource ?? "the evaluation");

    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reer report: ${h(source)}</title>
<style>${reportStyles}</style>
</head>
<body>
${renderHeader(records, source, generatedAt)}
<nav class="toc">${options.evaluation == null ? "" : `<a href="#evaluation">Evaluation</a>`}<a href="#scores">Scores</a><a href="#steps">Steps</a><a href="#lengths">Lengths</a><a href="#outcomes">Outcomes</a><a href="#item">Item</a></nav>
<main>
${options.evaluation == null ? "" : renderEvaluationSection(options.evaluation)}
${renderChartSections(records, data)}
<h2 id="item">Item</h2>
<section class="card item-card">
${renderPicker(records, shown, chosen, data)}
${shown.map((index) => {
        const record = records[index]!;
        const perplexities = evaluated?.get(index);
        return renderItemView(record, { index, hidden: index !== chosen, source, ...withTokens(tokensFor(record)), ...(perplexities == null ? {} : { perplexities }) });
    }).join("\n")}
</section>
</main>
<footer>Made by reer ${h(records[0]?.reerVersion ?? "")} · self-contained: charts by Chart.js, inlined · hover a chart for values</footer>
<script type="application/json" id="reer-report-data">${jsonForScript(data)}</script>
<script>${inlineScript(options.chartJs ?? chartJsSource())}</script>
<script>${inlineScript(reportClientScript())}</script>
</body>
</html>
`;
}

/** The title, when and from what, and the run's facts (models, settings, what it cost). */
function renderHeader(records: readonly TraceRecord[], source: string, generatedAt: Date): string {
    return `<header class="top">
<h1>reer report <span class="source">${h(source)}</span></h1>
<p class="sub">Generated ${h(generatedAt.toISOString().replace("T", " ").slice(0, 19))} UTC from ${records.length} trace record(s).</p>
<dl class="facts">${runFacts(records).map((fact) => `<div><dt>${h(fact.label)}</dt><dd>${h(fact.value)}</dd></div>`).join("")}</dl>
</header>`;
}

/** The chart cards over all items: scores, steps, lengths, outcomes (drawn by the client script from the data block). */
function renderChartSections(records: readonly TraceRecord[], data: ReportData): string {
    return `<h2 id="scores">How much the search helped</h2>
<div class="grid">
${card("Score before vs after", "One point per scored item: the clipped mean NLL of y under the initial trajectory z0 against the final z. Points below the dashed diagonal improved (blue); click one to open it below.", "chart-scatter", data.items.some((item) => item.before != null && item.after != null), "tall")}
${card("Running best per item", `The best ${data.objective} after each step for the ${data.runningBest.series.length} most improved item(s) (hover for ids); the dashed line is the mean over every item that ran steps.`, "chart-running-best", data.runningBest.series.length > 0, "tall")}
</div>
<h2 id="steps">Where the gains come from</h2>
<div class="grid">
${card("Improvement per step", `Mean drop of the best ${data.objective} at each step index, over the items that ran that step. Steps that kept the original count as zero.${data.stepGain.meanGain.every((gain) => gain === 0) ? " No step in this trace lowered it." : ""}`, "chart-step-gain", data.stepGain.step.length > 0)}
${card("Acceptance by segment position", "Share of visits to each segment position whose best rewrite was accepted (it beat the best trajectory so far).", "chart-acceptance", data.acceptance.segment.length > 0)}
</div>
<h2 id="lengths">Lengths</h2>
<div class="grid four">
${card("Request x", "Characters (Unicode code points) per item.", "chart-len-x", data.lengths.x.labels.length > 0, "small")}
${card("Response y", "Characters per item.", "chart-len-y", data.lengths.y.labels.length > 0, "small")}
${card("Scored y tokens", "Tokens of y the scorer scored (score.tokenCount).", "chart-len-ytokens", data.lengths.yTokens.labels.length > 0, "small")}
${card("Trajectory z", "Characters of the initial z0 and the final z.", "chart-len-z", data.lengths.z.labels.length > 0, "small")}
</div>
<h2 id="outcomes">Outcomes</h2>
<div class="grid">
${card("Items by status", "Skipped items carry a reason (usually a context that is too small or a trajectory too short); failed ones an error.", "chart-status", records.length > 0)}
${card("Candidates", "Every proposed rewrite: accepted, scored but not better than the best so far, or rejected before scoring (and why).", "chart-candidates", data.candidates.counts.some((count) => count > 0))}
</div>`;
}

/** The chosen item first among the rest ranked by improvement, then unscored items in trace order. */
function itemsToShow(records: readonly TraceRecord[], chosen: number, limit: number): number[] {
    const scored = records.map((record, index) => ({ index, gain: improvementOf(record) }))
        .filter((entry): entry is { index: number; gain: number } => entry.gain != null)
        .sort((a, b) => b.gain - a.gain || a.index - b.index)
        .map((entry) => entry.index);
    const unscored = records.map((_, index) => index).filter((index) => improvementOf(records[index]!) == null);
    const ordered = [chosen, ...[...scored, ...unscored].filter((index) => index !== chosen)];
    return ordered.slice(0, Math.max(1, limit));
}

function renderPicker(records: readonly TraceRecord[], shown: number[], chosen: number, data: ReportData): string {
    const options = shown.map((index) => {
        const item = data.items[index]!;
        const label = `${item.id} · ${item.improvement == null ? item.status : item.improvement === 0 ? "no change" : `−${item.improvement.toFixed(4)}`}`;
        return `<option value="${index}"${index === chosen ? " selected" : ""}>${h(label)}</option>`;
    }).join("");
    const more = records.length > shown.length
        ? ` Showing ${shown.length} of ${records.length} items: the most improved first (--max-items changes this, --item picks one).`
        : "";
    return `<div class="picker"><label for="item-select">Item</label><select id="item-select">${options}</select>
<p class="caption">Opens on the item with the largest improvement unless --item names one; the number is its objective drop.${h(more)}</p></div>`;
}

function card(title: string, caption: string, canvasId: string, hasData: boolean, size?: "tall" | "small"): string {
    const body = hasData
        ? `<div class="chart${size == null ? "" : ` ${size}`}"><canvas id="${canvasId}" role="img" aria-label="${h(title)}"></canvas></div>`
        : `<p class="empty">No data for this chart in this trace.</p>`;
    return `<section class="card"><h3>${h(title)}</h3><p class="caption">${h(caption)}</p>${body}</section>`;
}

function withTokens(tokens: TokenComparison | undefined): { tokens?: TokenComparison } {
    return tokens == null ? {} : { tokens };
}
