/**
 * Groups skip and failure reasons that differ only in what was measured for each item.
 *
 * A reason such as "context too small: ... needs 2169 tokens, the generator context holds
 * 1792" carries counts that change from item to item, next to text that must stay
 * readable: model names ("TinyStories 656K", "stories260K"), flags and their settings
 * ("--max-thinking-tokens 240", "< 100"). Folding every digit would turn the model name into
 * "TinyStories NK"; so only a number that reads as a measurement becomes "N":
 *
 * - a number followed by a unit of measure, with at most one word between
 *   ("57 tokens", "300 prompt tokens", "12 segments", "950 ms");
 * - a number right after a word that reports a measurement or a position
 *   ("needs 2169", "holds 1792", "has 3", "got 7", "took 12", "line 4", "byte 96").
 *
 * A number glued to letters ("656K", "260K", "q8_0") is never a measurement here, and a
 * number after a flag or a comparison ("--max-tokens 120", "< 100") is a setting, the
 * same for every item of a run, so it stays as written.
 */
const unit = String.raw`(?:tokens?|characters?|chars|bytes|segments?|words|lines|steps|items|ms|seconds)`;
const measuringWord = String.raw`(?:needs|need|needed|holds|held|has|had|have|got|took|reached|line|lines|byte|position)`;
const number = String.raw`\d+(?:\.\d+)?`;
const measured = new RegExp(
    String.raw`(?<![\w.-])${number}(?!\w|\.\d)(?=(?:\s+[A-Za-z][\w-]*)?\s+${unit}\b)` +
    String.raw`|(?<=\b${measuringWord}\s+)${number}(?!\w|\.\d)`,
    "gu");

export function foldMeasuredCounts(reason: string): string {
    return reason.replace(measured, "N");
}

export type ReasonCount<Status extends string = string> = { status: Status; reason: string; count: number };

/** Whether a grouped reason shows a folded count ("N tokens"), so a header says what N is only when there is one. */
export function showsFoldedCount(reason: string): boolean {
    return /(?<![\w.-])N(?![\w.-])/u.test(reason);
}

/** Reasons grouped by status and folded text, most frequent first (ties alphabetically). */
export function groupReasons<Status extends string>(entries: Iterable<{ status: Status; reason: string }>): ReasonCount<Status>[] {
    const counts = new Map<string, ReasonCount<Status>>();
    for (const { status, reason } of entries) {
        const folded = foldMeasuredCounts(reason);
        const key = `${status}\u0000${folded}`;
        const entry = counts.get(key) ?? { status, reason: folded, count: 0 };
        entry.count++;
        counts.set(key, entry);
    }
    return [...counts.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
