import { longestSharedRun } from "../../text/longestSharedRun.js";
import { ngrams, textUnits, unitKindOf, type UnitKind } from "../../text/textUnits.js";

export type LeakageMeasure = {
    /** Longest verbatim run z shares with y, in characters (code points). */
    overlapChars: number;
    /** Share of y's distinct n-grams that also occur in z (0 when y has none). */
    ngramShare: number;
    kind: UnitKind;
    n: number;
};

/**
 * Leakage: z was searched with y in view (the initial and edit prompts show it), so a
 * trajectory can end up quoting the answer instead of reasoning towards it. Two views:
 * one long copied run, or many short copied phrases spread through z. Units follow y's
 * script (words, or characters for CJK), and z is read in the same units.
 */
export function measureLeakage(z: string, y: string, wordN: number, cjkN: number): LeakageMeasure {
    const kind = unitKindOf(y);
    const n = kind === "word" ? wordN : cjkN;
    const yGrams = new Set(ngrams(textUnits(y, kind), n, kind));
    let shared = 0;
    if (yGrams.size > 0) {
        const zGrams = new Set(ngrams(textUnits(z, kind), n, kind));
        for (const gram of yGrams) {
            if (zGrams.has(gram))
                shared++;
        }
    }
    return {
        overlapChars: longestSharedRun(z, y),
        ngramShare: yGrams.size === 0 ? 0 : shared / yGrams.size,
        kind,
        n
    };
}

export function leakageDetail(measure: LeakageMeasure, maxOverlapChars: number, maxNgramShare: number): string | undefined {
    const problems: string[] = [];
    if (measure.overlapChars > maxOverlapChars)
        problems.push(`z copies ${measure.overlapChars} characters of y verbatim > max ${maxOverlapChars}`);
    if (measure.ngramShare > maxNgramShare)
        problems.push(`${(measure.ngramShare * 100).toFixed(1)}% of y's ${measure.kind} ${measure.n}-grams occur in z > max ${(maxNgramShare * 100).toFixed(1)}%`);
    return problems.length === 0 ? undefined : problems.join("; ");
}
