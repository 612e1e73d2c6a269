import { ngrams, textUnits, unitKindOf, type UnitKind } from "./textUnits.js";

export type RepetitionMeasure = {
    /** Share of n-gram occurrences that repeat an earlier one: 1 - distinct / total (0 with no n-grams). */
    ratio: number;
    kind: UnitKind;
    n: number;
    total: number;
};

/** n-gram sizes of the loop checks (drafts and candidates): a model stuck in a loop repeats whole phrases. */
export const LOOP_WORD_N = 4;
export const LOOP_CJK_N = 6;

/**
 * Repetition of a trajectory: a model stuck in a loop repeats whole phrases, which shows
 * as many n-grams occurring more than once. Words for spaced text (n = `wordN`),
 * characters for CJK text (n = `cjkN`), chosen by unitKindOf.
 */
export function repetitionRatio(text: string, wordN: number, cjkN: number): RepetitionMeasure {
    const kind = unitKindOf(text);
    const n = kind === "word" ? wordN : cjkN;
    const grams = ngrams(textUnits(text, kind), n, kind);
    if (grams.length === 0)
        return { ratio: 0, kind, n, total: 0 };
    return { ratio: 1 - new Set(grams).size / grams.length, kind, n, total: grams.length };
}
