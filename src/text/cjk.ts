/**
 * Language choice for prompt templates (method.md section 3): the Chinese templates are
 * used when the request contains a CJK unified ideograph, U+4E00..U+9FFF. This is the
 * reference rule, kept as is: Japanese kanji fall in the same block and so pick "zh";
 * kana-only or Hangul-only text, punctuation such as "，" or "。", and the extension
 * blocks (U+3400.., U+20000..) do not.
 */

export type Language = "en" | "zh";

const cjkIdeograph = /[\u4E00-\u9FFF]/u;

export function containsCjk(text: string): boolean {
    return cjkIdeograph.test(text);
}

export function detectLanguage(text: string): Language {
    return containsCjk(text) ? "zh" : "en";
}
