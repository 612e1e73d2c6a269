import type { Distribution } from "../util/distribution.js";
import type { StatsReport } from "./computeStats.js";
import { describeEditTurns } from "../trace/editTurns.js";
import { workLines } from "../trace/workTotals.js";
import { formatNumber, formatTable } from "./textTable.js";

/** The terminal view of a StatsReport: a few aligned tables, one concern each. */
export function formatStats(report: StatsReport): string {
    const { byStatus } = report;
    const parts: string[] = [`${report.items} item(s): ${byStatus.done} done, ${byStatus.skipped} skipped, ${byStatus.failed} failed\n`];
    if (report.topReasons.length > 0) {
        parts.push("\nTop skip and failure reasons:\n" + formatTable(["count", "status", "reason"],
            report.topReasons.map((entry) => [String(entry.count), entry.status, entry.reason]), ["right", "left", "left"]));
    }
    parts.push(doneItemsTable(report));
    if (report.acceptance.length > 0) {
        parts.push("\nAcceptance by step index (items that took the step, and how often it accepted a rewrite):\n" + formatTable(
            ["step", "reached", "accepted", "rate"],
            report.acceptance.map((entry) => [String(entry.stepIndex), String(entry.reached), String(entry.accepted), `${(entry.rate * 100).toFixed(1)}%`]),
            ["right", "right", "right", "right"]));
    }
    parts.push(`\nEdit turns: ${describeEditTurns(report.editTurns)}\n`);
    parts.push(proposerTable(report), versusEmptyLine(report));
    const stops = Object.entries(report.stopReasons).sort((a, b) => b[1] - a[1]);
    if (stops.length > 0)
        parts.push(`\nStop reasons: ${stops.map(([reason, count]) => `${reason} ${count}`).join(", ")}\n`);
    parts.push(`\nWork over all items:\n${workLines(report.work).map((line) => `  ${line}\n`).join("")}`);
    return parts.join("");
}

/** Distributions over done items: lengths, steps, scores, and each item's time and tokens. */
function doneItemsTable(report: StatsReport): string {
    const row = (label: string, values: Distribution, digits = 2): string[] =>
        [label, String(values.count), ...[values.mean, values.min, values.median, values.p90, values.max].map((value) => formatNumber(value, digits))];
    const { lengths, scores, perItem } = report;
    return `\nDone items (token counts: ${report.tokenCounting}):\n` + formatTable(
        ["measure", "count", "mean", "min", "median", "p90", "max"],
        [
            row("x tokens", lengths.x, 1),
            row("y tokens", lengths.y, 1),
            row("z0 tokens", lengths.z0, 1),
            row("z tokens", lengths.z, 1),
            row("steps taken", report.steps, 2),
            row("steps accepted", report.acceptedSteps, 2),
            row("clipped mean NLL before", scores.clippedMeanNllBefore, 4),
            row("clipped mean NLL after", scores.clippedMeanNllAfter, 4),
            row("improvement (before - after)", scores.improvement, 4),
            row("PPL before", scores.pplBefore, 3),
            row("PPL after", scores.pplAfter, 3),
            row("time per item (ms)", perItem.totalMs, 1),
            row("generation per item (ms)", perItem.generationMs, 1),
            row("  drafting (ms)", perItem.draftingMs, 1),
            row("  proposing (ms)", perItem.proposingMs, 1),
            row("  of it prompt evaluation (ms)", perItem.promptEvalMs, 1),
            row("scoring per item (ms)", perItem.scoringMs, 1),
            row("tokens generated per item", perItem.tokensGenerated, 1),
            row("prompt tokens evaluated per item", perItem.promptEvaluated, 1),
            row("prompt tokens from cache per item", perItem.promptReused, 1),
            row("tokens scored per item", perItem.scoringEvaluated, 1),
            row("tokens reused per item", perItem.scoringReused, 1)
        ],
        ["left", "right", "right", "right", "right", "right", "right"]) + `improved items: ${scores.improvedItems} of ${scores.improvement.count}\n`;
}

function proposerTable(report: StatsReport): string {
    const proposers = Object.entries(report.proposers).filter(([, counts]) => counts.candidates > 0);
    if (proposers.length === 0)
        return "";
    const rate = (part: number, whole: number) => (whole === 0 ? "-" : `${((part / whole) * 100).toFixed(1)}%`);
    return "\nCandidates by proposer:\n" + formatTable(["proposer", "candidates", "usable", "accepted"],
        proposers.map(([name, counts]) => [name, String(counts.candidates), rate(counts.usable, counts.candidates), rate(counts.accepted, counts.candidates)]),
        ["left", "right", "right", "right"]);
}

function versusEmptyLine({ versusEmpty }: StatsReport): string {
    const percent = (share: number | null | undefined) => formatNumber(share == null ? null : share * 100, 1);
    return versusEmpty.items === 0
        ? "\nNo thinking: no done item records its no-thinking score (traces from before it was recorded)\n"
        : `\nNo thinking: z* beats it on ${versusEmpty.beaten} of ${versusEmpty.items} done item(s); PPL drop vs no thinking ` +
          `median ${percent(versusEmpty.pplDrop.median)}%, min ${percent(versusEmpty.pplDrop.min)}%, max ${percent(versusEmpty.pplDrop.max)}%\n`;
}
