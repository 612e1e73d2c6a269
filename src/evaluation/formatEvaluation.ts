import { formatTable } from "../stats/textTable.js";
import type { Evaluation } from "./evaluationSchema.js";
import { drop } from "./evaluationSummary.js";

/**
 * The evaluation for a terminal: one row per item (y's perplexity with no thinking, with
 * z0 and with the final z, and the final z's drops against the other two), then the summary.
 */
export function formatEvaluation(evaluation: Evaluation): string {
    const { items, summary } = evaluation;
    const rows = items.map((item) => [
        item.id,
        String(item.tokens ?? "-"),
        item.ppl_empty.toFixed(3),
        item.ppl_initial.toFixed(3),
        item.ppl_final.toFixed(3),
        percent(drop(item.ppl_final, item.ppl_initial)),
        percent(drop(item.ppl_final, item.ppl_empty))
    ]);
    const table = items.length === 0 ? "" : formatTable(
        ["id", "y tokens", "PPL no z", "PPL z0", "PPL final z", "drop vs z0", "drop vs no z"],
        rows, ["left", "right", "right", "right", "right", "right", "right"]);
    const judge = `${summary.scorer.name} (${summary.held_out ? "held-out judge" : "the run's scorer"}, ${summary.template} layout, clip ${summary.clip_floor})`;
    const lines = [
        summary.items === 0
            ? `summary: no item evaluated by ${judge}`
            : `summary: ${summary.items} item(s) evaluated by ${judge}: ` +
              `final z beats z0 on ${share(summary.improved_vs_initial, summary.items)} and no thinking on ${share(summary.improved_vs_empty, summary.items)}; ` +
              `median drop in PPL ${percent(summary.median_drop_vs_initial)} vs z0, ${percent(summary.median_drop_vs_empty)} vs no thinking`
    ];
    if (summary.skipped_records.length > 0)
        lines.push(`not evaluated: ${summary.skipped_records.length} record(s): ` +
            summary.skipped_records.map((record) => `${record.id} (${record.status}${record.reason === "" ? "" : `: ${record.reason}`})`).join("; "));
    if (summary.duplicate_ids.length > 0)
        lines.push(`duplicate ids (the last record of each was evaluated): ${summary.duplicate_ids.join(", ")}`);
    if (summary.stopped)
        lines.push("stopped by an interrupt: the items above are those scored before it");
    return table + lines.join("\n") + "\n";
}

function percent(value: number | null): string {
    return value == null ? "-" : `${(value * 100).toFixed(1)}%`;
}

function share(value: number | null, items: number): string {
    return value == null ? "-" : `${Math.round(value * items)} (${percent(value)})`;
}
