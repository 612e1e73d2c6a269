import type { RepetitionMeasure } from "../../text/repetitionRatio.js";

export function repetitionDetail(measure: RepetitionMeasure, maxRatio: number): string | undefined {
    if (measure.ratio <= maxRatio)
        return undefined;
    return `${(measure.ratio * 100).toFixed(1)}% of ${measure.kind} ${measure.n}-grams repeated > max ${(maxRatio * 100).toFixed(1)}%`;
}
