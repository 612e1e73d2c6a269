/** Shared-bin histograms of integer lengths, computed here so the page only draws bars. */

export type HistogramSeries = { label: string; values: number[] };

export type Histogram = {
    /** "0–99", "100–199", ...: inclusive integer ranges. */
    labels: string[];
    /** Lower edge of each bin; bin i holds values in [edges[i], edges[i] + width). */
    edges: number[];
    width: number;
    series: { label: string; counts: number[] }[];
};

/** One series or several over the same bins (so z0 and z lengths line up bar for bar). */
export function histogram(series: HistogramSeries[], maxBins = 20): Histogram {
    const all = series.flatMap((entry) => entry.values);
    if (all.length === 0)
        return { labels: [], edges: [], width: 1, series: series.map((entry) => ({ label: entry.label, counts: [] })) };
    // A loop, not Math.min(...all): spreading a large trace's values overflows the stack.
    const min = all.reduce((low, value) => Math.min(low, value), Number.POSITIVE_INFINITY);
    const max = all.reduce((high, value) => Math.max(high, value), Number.NEGATIVE_INFINITY);
    // About sqrt(n) bins reads well for small samples; never more than maxBins.
    const target = Math.max(1, Math.min(maxBins, Math.ceil(Math.sqrt(all.length))));
    const width = niceWidth((max - min + 1) / target);
    const first = Math.floor(min / width) * width;
    const bins = Math.floor((max - first) / width) + 1;
    const edges = Array.from({ length: bins }, (_, index) => first + index * width);
    return {
        labels: edges.map((edge) => width === 1 ? formatCount(edge) : `${formatCount(edge)}–${formatCount(edge + width - 1)}`),
        edges,
        width,
        series: series.map((entry) => {
            const counts = new Array<number>(bins).fill(0);
            for (const value of entry.values)
                counts[Math.floor((value - first) / width)]!++;
            return { label: entry.label, counts };
        })
    };
}

/** The smallest integer 1, 2 or 5 x 10^k at or above `raw`, so bin edges are round numbers. */
function niceWidth(raw: number): number {
    if (raw <= 1)
        return 1;
    const power = 10 ** Math.floor(Math.log10(raw));
    for (const step of [1, 2, 5, 10]) {
        if (step * power >= raw)
            return step * power;
    }
    return 10 * power;
}

function formatCount(value: number): string {
    return value >= 10_000 ? `${Math.round(value / 100) / 10}k` : String(value);
}
