/**
 * Summary numbers of a sample. Quantiles interpolate linearly between the two nearest
 * ranks (position (n - 1) * q in the sorted sample, numpy's default), so the median of an
 * even-sized sample is the mean of its two middle values. Every field is null for an
 * empty sample, which keeps the shape the same in JSON output.
 */
export type Distribution = {
    count: number;
    mean: number | null;
    min: number | null;
    median: number | null;
    p90: number | null;
    max: number | null;
};

export function quantile(sorted: readonly number[], q: number): number {
    if (sorted.length === 0)
        throw new RangeError("quantile of an empty sample");
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    const lowValue = sorted[low]!;
    return lowValue + (sorted[high]! - lowValue) * (position - low);
}

export function distribution(values: readonly number[]): Distribution {
    if (values.length === 0)
        return { count: 0, mean: null, min: null, median: null, p90: null, max: null };
    const sorted = [...values].sort((a, b) => a - b);
    const sum = sorted.reduce((total, value) => total + value, 0);
    return {
        count: sorted.length,
        mean: sum / sorted.length,
        min: sorted[0]!,
        median: quantile(sorted, 0.5),
        p90: quantile(sorted, 0.9),
        max: sorted[sorted.length - 1]!
    };
}
