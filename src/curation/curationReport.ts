import { formatNumber, formatTable } from "../stats/textTable.js";
import { filterEnabled, filterNames, type CurationConfig, type FilterName } from "./curationConfig.js";
import type { CurationSummary } from "./Curator.js";

/**
 * The terminal summary of a curation run: per filter, how many items fail it and how
 * many fail it alone (so what switching it off would bring back), the total dropped, and
 * the repetition ratio's distribution, since the paper gives no threshold for it.
 */
export function formatCurationSummary(summary: CurationSummary, config: CurationConfig): string {
    const rows: string[][] = [];
    for (const filter of Object.keys(summary.byFilter).filter((name) => name.startsWith("status:") || name === "missing-z").sort())
        rows.push([filter, String(summary.byFilter[filter] ?? 0), String(summary.onlyBy[filter] ?? 0), filter === "missing-z" ? "done records must have z" : "only done items are kept"]);
    for (const filter of filterNames) {
        const on = filterEnabled(config, filter);
        rows.push([filter, on ? String(summary.byFilter[filter] ?? 0) : "off", on ? String(summary.onlyBy[filter] ?? 0) : "-", setting(filter, config)]);
    }
    rows.push(["total dropped", String(summary.dropped), "", ""]);
    const table = formatTable(["filter", "dropped", "only", "setting"], rows, ["left", "right", "right", "left"]);
    const ratio = summary.repetition;
    const percent = (value: number | null) => value == null ? "-" : `${(value * 100).toFixed(1)}%`;
    return `reer curate: ${summary.read} item(s) read, ${summary.kept} kept, ${summary.dropped} dropped\n` +
        `token counts (length filter): ${summary.tokenCounting}\n` +
        table +
        `repetition ratio over ${ratio.count} done item(s): min ${percent(ratio.min)}, median ${percent(ratio.median)}, ` +
        `p90 ${percent(ratio.p90)}, max ${percent(ratio.max)} (threshold ${percent(config.repetition.maxRatio)}${config.repetition.enabled ? "" : ", filter off"})\n`;
}

function setting(filter: FilterName, config: CurationConfig): string {
    switch (filter) {
        case "end-of-thinking": {
            const { tailFraction, phrases } = config.endOfThinking;
            return `${phrases.en.length + phrases.zh.length} reflection phrases in the last ${formatNumber(tailFraction * 100, 1)}% of z`;
        }
        case "repetition":
            return `repeated n-grams > ${formatNumber(config.repetition.maxRatio * 100, 1)}% (word ${config.repetition.n}-grams, CJK char ${config.repetition.cjkN}-grams)`;
        case "leakage":
            return `z shares > ${config.leakage.maxOverlapChars} chars of y verbatim, or > ${formatNumber(config.leakage.maxNgramShare * 100, 1)}% of y's ${config.leakage.n}-grams`;
        case "length": {
            const parts = (["x", "y", "z"] as const).flatMap((field) => {
                const { min, max } = config.length[field];
                if (min == null && max == null)
                    return [];
                if (min != null && max != null)
                    return [`${min} <= ${field} <= ${max}`];
                return [min != null ? `${field} >= ${min}` : `${field} <= ${max}`];
            });
            return parts.length === 0 ? "no bounds set" : `tokens: ${parts.join(", ")}`;
        }
        case "improvement":
            return `score0 - score (clipped mean NLL) < ${config.improvement.min}`;
        case "gain-over-empty":
            return `z* beats no thinking by less than ${config.gainOverEmpty.min}${config.gainOverEmpty.min === 0 ? " (or not at all)" : ""}`;
        case "think-tag":
            return "initial thinking without </think>, or think markup in z";
        case "duplicate":
            return "same z as an earlier kept item";
        case "near-duplicate":
            return `MinHash Jaccard >= ${config.nearDuplicate.threshold} over char ${config.nearDuplicate.shingleChars}-grams`;
    }
}
