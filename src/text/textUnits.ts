/**
 * Units for n-gram measures (repetition, leakage). Spaced text is measured in words;
 * CJK text has no spaces between words, so it is measured in characters instead.
 *
 * "CJK" here is wider than the prompt-language rule in src/text/cjk.ts: it covers every
 * script written without spaces that a word split would lump into one long "word"
 * (ideographs and their extensions, kana, Hangul syllables).
 */

export type UnitKind = "word" | "char";

const cjkCharacter = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\u{20000}-\u{3134F}]/u;

/** Text whose non-space characters are at least this share CJK is measured in characters. */
export const CJK_SHARE_FOR_CHAR_UNITS = 0.3;

export function isCjkCharacter(char: string): boolean {
    return cjkCharacter.test(char);
}

export function unitKindOf(text: string): UnitKind {
    let cjk = 0;
    let visible = 0;
    for (const char of text) {
        if (/\s/u.test(char))
            continue;
        visible++;
        if (isCjkCharacter(char))
            cjk++;
    }
    return visible > 0 && cjk / visible >= CJK_SHARE_FOR_CHAR_UNITS ? "char" : "word";
}

/**
 * Words: lower-cased runs of letters, digits and apostrophes (punctuation is not a word,
 * so "wait," and "wait" are the same unit). Characters: every non-space code point.
 */
export function textUnits(text: string, kind: UnitKind): string[] {
    if (kind === "word")
        return text.toLowerCase().match(/[\p{L}\p{N}\p{M}'’]+/gu) ?? [];
    return Array.from(text).filter((char) => !/\s/u.test(char));
}

/** The n-grams of a unit sequence, each joined into one string key. */
export function ngrams(units: readonly string[], n: number, kind: UnitKind): string[] {
    const separator = kind === "word" ? " " : "";
    const grams: string[] = [];
    for (let start = 0; start + n <= units.length; start++)
        grams.push(units.slice(start, start + n).join(separator));
    return grams;
}
