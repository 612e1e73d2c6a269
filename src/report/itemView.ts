import type { EvaluationItem } from "../evaluation/evaluationSchema.js";
import { scoreEmptyOf, type TraceRecord } from "../trace/traceRecordSchema.js";
import { versusEmpty } from "../trace/versusEmpty.js";
import { describeItemPerplexities } from "./evaluationSection.js";
import { escapeHtml as h } from "./htmlText.js";
import { codePoints } from "./reportData.js";
import { scoringTemplateOf } from "./scoringTemplate.js";
import type { TokenComparison } from "./tokenComparison.js";
import { compareTrajectories, type SegmentChange, type SegmentVisit } from "./trajectorySegments.js";

export type ItemViewOptions = {
    /** Position in the trace; the picker and the charts refer to items by it. */
    index: number;
    hidden: boolean;
    tokens?: TokenComparison;
    /** y's perplexities under no thinking, z0 and z, from `reer evaluate` (report --evaluation). */
    perplexities?: EvaluationItem;
    /** The trace file as the user named it, for the command line in the hint. */
    source: string;
};

/**
 * One item's page section, rendered here rather than in the browser so every piece of
 * user text goes through one escaping function: facts, x, z0 against z segment by
 * segment, and y (coloured by log-probability change when a comparison was computed).
 */
export function renderItemView(record: TraceRecord, options: ItemViewOptions): string {
    return `<article class="item-view" data-item="${options.index}"${options.hidden ? " hidden" : ""}>
<h3>${h(record.id)} <span class="status status-${record.status}">${record.status}</span></h3>
${renderItemFacts(record, options.perplexities)}
<details class="x"${codePoints(record.x) <= 600 ? " open" : ""}><summary>Request x · ${codePoints(record.x)} characters</summary><pre class="text">${h(record.x)}</pre></details>
<h4>Thinking trajectory: before (z0) and after (z)</h4>
${renderTrajectory(record)}
<h4>Response y${options.tokens == null ? "" : ": change in log-probability per token"}</h4>
${options.tokens == null ? renderPlainResponse(record, options.source) : renderTokens(record, options.tokens)}
</article>`;
}

function renderItemFacts(record: TraceRecord, perplexities: EvaluationItem | undefined): string {
    const facts: [string, string][] = [];
    if (record.status === "skipped")
        facts.push(["Reason", record.reason]);
    if (record.status === "failed")
        facts.push(["Error", record.error]);
    if (record.status === "done") {
        const delta = record.score.clippedMeanNll - record.score0.clippedMeanNll;
        facts.push(["Clipped mean NLL", `${record.score0.clippedMeanNll.toFixed(4)} → ${record.score.clippedMeanNll.toFixed(4)} (${signed(delta)})`]);
        // The clipped mean NLL line above already is the objective in the default preset.
        if (record.objective !== "clippedMeanNll")
            facts.push([`Objective (${record.objective})`, `${record.objective0.toFixed(4)} → ${record.objectiveFinal.toFixed(4)}`]);
        const versus = versusEmpty(record);
        if (versus != null)
            facts.push(["Against no thinking", `PPL ${scoreEmptyOf(record)!.ppl.toFixed(3)} with no thinking, ${record.score.ppl.toFixed(3)} with z* ` +
                `(${versus.beats ? "beats it" : "does not beat it"}, PPL drop ${(versus.pplDrop * 100).toFixed(1)}%)`]);
    }
    if (perplexities != null)
        facts.push(["PPL of y (evaluation)", describeItemPerplexities(perplexities)]);
    const accepted = record.steps.filter((step) => step.chosen != null).length;
    facts.push(["Steps", `${record.steps.length} visited, ${accepted} accepted${record.status === "done" ? ` · ${record.segments} segments` : ""}`]);
    if (record.status === "done")
        facts.push(["Stopped", record.stopReason]);
    facts.push(["Line", String(record.line)]);
    return `<dl class="item-facts">${facts.map(([label, value]) => `<div><dt>${h(label)}</dt><dd>${h(value)}</dd></div>`).join("")}</dl>`;
}

function renderTrajectory(record: TraceRecord): string {
    const comparison = compareTrajectories(record);
    if (comparison == null)
        return `<p class="empty">No trajectory: this item ${record.status === "done" ? "has none" : `was ${record.status}`} before one was generated.</p>`;
    const changed = comparison.segments.filter((segment) => segment.changed).length;
    const summary = comparison.exact
        ? `${changed} of ${comparison.segments.length} segment(s) rewritten. Rewritten segments show the original on the left and the accepted text on the right; the others span both columns.`
        : "The segment boundaries could not be recovered from this record, so z0 and z are shown whole.";
    return `<p class="caption">${h(summary)}</p>
<div class="traj">
<div class="traj-head"><span>#</span><span>Before (z0)</span><span>After (z)</span></div>
${comparison.segments.map(renderSegment).join("\n")}
</div>`;
}

function renderSegment(segment: SegmentChange): string {
    const note = segment.visits.length === 0 ? "not visited" : segment.visits.map(describeVisit).join(" · ");
    const cells = segment.changed
        ? `<div class="seg-before"><pre class="text">${h(segment.before)}</pre></div><div class="seg-after"><pre class="text">${h(segment.after)}</pre></div>`
        : `<div class="seg-both"><pre class="text">${h(segment.before)}</pre></div>`;
    return `<div class="seg ${segment.changed ? "changed" : "same"}" data-segment="${segment.index}"><div class="seg-no">${segment.index + 1}</div>${cells}<div class="seg-note">${h(note)}</div></div>`;
}

function describeVisit(visit: SegmentVisit): string {
    const where = `step ${visit.step}${visit.pass > 1 ? ` (pass ${visit.pass})` : ""}`;
    if (visit.accepted)
        return `${where}: rewritten, objective −${visit.gain.toFixed(4)}`;
    const reasons = new Map<string, number>();
    for (const reason of visit.rejected)
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const rejected = [...reasons].map(([reason, count]) => `${reason}${count > 1 ? ` ×${count}` : ""}`).join(", ");
    return `${where}: kept (${visit.candidates} candidate(s)${rejected === "" ? ", none better" : `; rejected: ${rejected}`})`;
}

function renderPlainResponse(record: TraceRecord, source: string): string {
    const template = scoringTemplateOf(record);
    const command = `reer report ${shellWord(source)} -o report.html --item ${shellWord(record.id)} --model ${shellWord(record.models.scorer.path)}` +
        (template === "none" ? " --template none" : "");
    return `<p class="hint">Per-token log-probabilities are not stored in the trace. To colour y by how much z changed each token's log-probability, re-score it with the scorer model:<br><code>${h(command)}</code></p>
<pre class="text response">${h(record.y)}</pre>`;
}

function renderTokens(record: TraceRecord, tokens: TokenComparison): string {
    const deltas = tokens.pieces.map((piece) => piece.after - piece.before);
    const scale = colourScale(deltas);
    const better = deltas.filter((delta) => delta > 1e-9).length;
    const worse = deltas.filter((delta) => delta < -1e-9).length;
    const notes: string[] = [];
    if (record.status === "done" &&
        (Math.abs(record.score0.clippedMeanNll - tokens.before.clippedMeanNll) > 1e-3 || Math.abs(record.score.clippedMeanNll - tokens.after.clippedMeanNll) > 1e-3))
        notes.push(`These scores differ from the trace's (${record.score0.clippedMeanNll.toFixed(4)} → ${record.score.clippedMeanNll.toFixed(4)}): the model, --template, prompts or --clip differ from the run's.`);
    if (tokens.modelHeadSha256 !== record.models.scorer.headSha256)
        notes.push(`This model is not the run's scorer (${record.models.scorer.name}).`);
    const spans = tokens.pieces.map((piece, index) => {
        const delta = deltas[index]!;
        const title = `${piece.tokens > 1 ? `${piece.tokens} tokens\n` : ""}under z0: ${piece.before.toFixed(3)}\nunder z: ${piece.after.toFixed(3)}\nchange: ${signed(delta, 3)}`;
        return `<span class="tok" style="background-color:${deltaColour(delta, scale)}" title="${h(title)}">${h(piece.text)}</span>`;
    }).join("");
    return `<p class="caption">Re-scored with ${h(tokens.modelName)} (${tokens.template === "paper" ? "paper" : "plain"} layout): clipped mean NLL ${tokens.before.clippedMeanNll.toFixed(4)} → ${tokens.after.clippedMeanNll.toFixed(4)} over ${tokens.before.tokenCount} scored tokens; ${better} piece(s) more likely under z, ${worse} less likely. Hover a token for its two log-probabilities.</p>
${notes.map((note) => `<p class="warning">${h(note)}</p>`).join("\n")}
<div class="legend"><span>less likely under z</span><span class="legend-bar"></span><span>more likely under z</span><span class="legend-scale">colour saturates at ±${scale.toFixed(2)} nats</span></div>
<pre class="text tokens">${tokens.yHead === "" ? "" : `<span class="y-head" title="context: not scored">${h(tokens.yHead)}</span>`}${spans}</pre>`;
}

/** Saturation point of the colour scale: the 95th percentile of |change|, so a few outliers do not wash out the rest. */
function colourScale(deltas: number[]): number {
    const sorted = deltas.map(Math.abs).sort((a, b) => a - b);
    const high = sorted[Math.floor(0.95 * (sorted.length - 1))] ?? 0;
    return Math.max(0.05, high);
}

/** Green when y's piece got more likely under z, red when less; transparent at no change. */
export function deltaColour(delta: number, scale: number): string {
    const strength = Math.min(1, Math.abs(delta) / scale);
    const alpha = Math.round(strength * 0.7 * 1000) / 1000;
    return delta >= 0 ? `rgba(22,163,74,${alpha})` : `rgba(220,38,38,${alpha})`;
}

function signed(value: number, digits = 4): string {
    return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
    return /^[\w./:@=+-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
