import { isCjkCharacter } from "../../text/textUnits.js";

/**
 * End-of-thinking filter (method.md section 6): a trajectory whose last part still says
 * "wait", "hmm", "maybe" and the like was still reflecting when it stopped, so it does not
 * lead cleanly into the answer. The tail is the last `tailFraction` of z's characters.
 *
 * Phrases with CJK characters match anywhere (Chinese has no word boundaries); others
 * match whole words only, case-insensitively, with any whitespace between their words,
 * so "wait" does not fire on "await" or "waiting". A match counts when it starts inside
 * the tail; the boundary check looks at the text before the tail too.
 */
export function reflectionPhrasesInTail(z: string, phrases: readonly string[], tailFraction: number): string[] {
    const tailStart = tailOffset(z, tailFraction);
    const found: string[] = [];
    for (const phrase of phrases) {
        const pattern = phrasePattern(phrase);
        for (const match of z.matchAll(pattern)) {
            if (match.index >= tailStart) {
                found.push(phrase);
                break;
            }
        }
    }
    return found;
}

export function endOfThinkingDetail(z: string, phrases: readonly string[], tailFraction: number): string | undefined {
    const found = reflectionPhrasesInTail(z, phrases, tailFraction);
    if (found.length === 0)
        return undefined;
    return `${found.map((phrase) => JSON.stringify(phrase)).join(", ")} in the last ${Math.round(tailFraction * 100)}% of z`;
}

/** UTF-16 offset where the last `fraction` of the code points begins. */
function tailOffset(text: string, fraction: number): number {
    const codePoints = Array.from(text);
    const tailLength = Math.ceil(codePoints.length * fraction);
    let offset = 0;
    for (let index = 0; index < codePoints.length - tailLength; index++)
        offset += codePoints[index]!.length;
    return offset;
}

const patterns = new Map<string, RegExp>();

function phrasePattern(phrase: string): RegExp {
    let pattern = patterns.get(phrase);
    if (pattern == null) {
        const words = phrase.trim().split(/\s+/u).map((word) => word.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&"));
        const body = words.join("\\s+");
        const cjk = Array.from(phrase).some(isCjkCharacter);
        pattern = new RegExp(cjk ? body : `(?<![\\p{L}\\p{N}\\p{M}])${body}(?![\\p{L}\\p{N}\\p{M}])`, "giu");
        patterns.set(phrase, pattern);
    }
    return pattern;
}
