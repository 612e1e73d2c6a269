import { quantile } from "../util/distribution.js";

/** The three perplexities of y for one item: no thinking, the initial z0, the final z. */
export type ItemPerplexities = { ppl_empty: number; ppl_initial: number; ppl_final: number };

/** What the final trajectories are worth over a set of items. */
export type PerplexitySummary = {
    items: number;
    /** Share of items with ppl_final < ppl_initial (strictly: a tie is no improvement). */
    improved_vs_initial: number | null;
    /** Share of items with ppl_final < ppl_empty. */
    improved_vs_empty: number | null;
    /** Median of 1 - ppl_final / ppl_initial: 0.1 means the final z cut y's perplexity by 10%. */
    median_drop_vs_initial: number | null;
    median_drop_vs_empty: number | null;
};

/**
 * Shares and median drops over `items`; every field but `items` is null when there are
 * none, so the JSON keeps its shape. A drop is relative (1 - final / other), so items whose
 * answers are easy or hard for the scorer weigh the same; the median keeps one item with a
 * huge swing from deciding the result.
 */
export function summarisePerplexities(items: readonly ItemPerplexities[]): PerplexitySummary {
    if (items.length === 0)
        return { items: 0, improved_vs_initial: null, improved_vs_empty: null, median_drop_vs_initial: null, median_drop_vs_empty: null };
    const shareOf = (test: (item: ItemPerplexities) => boolean) => items.filter(test).length / items.length;
    const medianOf = (values: number[]) => quantile(values.sort((a, b) => a - b), 0.5);
    return {
        items: items.length,
        improved_vs_initial: shareOf((item) => item.ppl_final < item.ppl_initial),
        improved_vs_empty: shareOf((item) => item.ppl_final < item.ppl_empty),
        median_drop_vs_initial: medianOf(items.map((item) => drop(item.ppl_final, item.ppl_initial))),
        median_drop_vs_empty: medianOf(items.map((item) => drop(item.ppl_final, item.ppl_empty)))
    };
}

/** The relative fall from `other` to `final`: positive when final is lower. */
export function drop(final: number, other: number): number {
    return 1 - final / other;
}
