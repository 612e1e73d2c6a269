/**
 * Segmentation of trajectories z and responses y (method.md section 4).
 *
 * Rules, in order:
 *
 * 1. Work on the text between its first and last non-whitespace character.
 * 2. Separators are maximal runs of whitespace. A run holding two or more "\n" is a
 *    blank-line separator: so "\n\n\n" and "\n  \t\n" are one separator each, and a
 *    line holding only whitespace (spaces, tabs, "\r", NBSP, U+3000, ...) is blank.
 *    "\r\n" line breaks work because "\r" is whitespace.
 * 3. Split on blank-line separators and merge short chunks (rule 5). If that leaves one
 *    segment or none, split on runs holding one or more "\n" instead and merge again
 *    (a poem without stanza breaks). The choice is made after merging, as the reference
 *    does: a title, a blank line and one paragraph of several lines is one blank-line
 *    segment, so its lines are split.
 * 4. A separator inside a LaTeX display block `\[ ... \]` is never a split point. A
 *    block runs from `\[` to the first `\]` after it; an unclosed `\[` protects the rest
 *    of the text.
 * 5. A chunk is short when its trimmed text has fewer than `minChunkChars` Unicode code
 *    points (not UTF-16 units, so one CJK ideograph or emoji counts once, as Python's
 *    len() does). Short chunks join the next chunk that is not short; short chunks after
 *    the last long one join the last segment. If no chunk is long, the whole text is
 *    one segment.
 *
 * Where this differs from the reference, which splits on the literal strings "\n\n"
 * and "\n" (the first two keep invisible whitespace from changing the segmentation):
 * - a line of only spaces or tabs is blank, and "\n\n\n" is one separator, not a
 *   break plus a chunk starting with "\n";
 * - a chunk's length is measured after trimming, so indentation cannot make it long;
 * - `\\` is a LaTeX line break, not an escape of the next bracket, so `\\[2pt]` opens
 *   no display block.
 *
 * Invariant: segments are non-empty, start and end with non-whitespace, and are exact
 * substrings of the input, in order, separated only by whitespace: the input is
 * w0 + s0 + w1 + s1 + ... + sN + wN+1 with every wi whitespace (w0 and wN+1 possibly
 * empty, the others holding at least one "\n"). Merged chunks keep their original
 * separator inside the segment, so no text is lost.
 */

export type SegmentOptions = {
    /** Chunks with fewer code points than this (after trimming) are merged forward. Default 100. */
    minChunkChars?: number;
};

/** Where one segment lies in the input, as UTF-16 offsets for `text.slice(start, end)`. */
export type SegmentSpan = { start: number; end: number };

export const DEFAULT_MIN_CHUNK_CHARS = 100;

export function segmentSpans(text: string, options: SegmentOptions = {}): SegmentSpan[] {
    const minChunkChars = options.minChunkChars ?? DEFAULT_MIN_CHUNK_CHARS;
    if (!Number.isFinite(minChunkChars) || minChunkChars < 0)
        throw new RangeError(`minChunkChars must be a finite number >= 0, got ${minChunkChars}`);

    const start = text.search(/\S/u);
    if (start < 0)
        return [];
    // trimEnd() and \s cover the same characters, so both ends agree with the chunk edges.
    const end = text.trimEnd().length;

    const runs = whitespaceRuns(text, start, end, displayBlocks(text));
    const paragraphs = mergeShortChunks(chunksBetween(text, start, end, runs.filter((run) => run.newlines >= 2)), minChunkChars);
    // Decided after merging: blank lines that only separate a title from the text do not count.
    if (paragraphs.length >= 2)
        return paragraphs;
    return mergeShortChunks(chunksBetween(text, start, end, runs), minChunkChars);
}

export function segmentText(text: string, options: SegmentOptions = {}): string[] {
    return segmentSpans(text, options).map((span) => text.slice(span.start, span.end));
}

/** The normalised form of a trajectory: segments trimmed and joined with a blank line. */
export function joinSegments(segments: readonly string[]): string {
    // An empty segment is one the search removed (--prune): it leaves no blank paragraph behind.
    return segments.map((segment) => segment.trim()).filter((segment) => segment !== "").join("\n\n");
}

/**
 * Splits y for scoring: `head` is y up to the end of its first segment (leading
 * whitespace of y included), `tail` is everything after it, starting with the separator
 * whitespace. So `${head}${tail} === y` always, and the separator is scored as part of
 * the tail. With one segment or none, head is "" and all of y is the tail.
 */
export function splitHeadTail(y: string, options: SegmentOptions = {}): { head: string; tail: string } {
    const spans = segmentSpans(y, options);
    const first = spans[0];
    if (first == null || spans.length === 1)
        return { head: "", tail: y };
    return { head: y.slice(0, first.end), tail: y.slice(first.end) };
}

type WhitespaceRun = { start: number; end: number; newlines: number };
type Chunk = { start: number; end: number; length: number };

/** Whitespace runs strictly inside [start, end) that are not inside a display block. */
function whitespaceRuns(text: string, start: number, end: number, blocks: SegmentSpan[]): WhitespaceRun[] {
    const runs: WhitespaceRun[] = [];
    const pattern = /\s+/gu;
    pattern.lastIndex = start;
    for (let match = pattern.exec(text); match != null && match.index < end; match = pattern.exec(text)) {
        const newlines = match[0].split("\n").length - 1;
        if (newlines === 0)
            continue;
        const runStart = match.index;
        if (blocks.some((block) => runStart > block.start && runStart < block.end))
            continue;
        runs.push({ start: runStart, end: runStart + match[0].length, newlines });
    }
    return runs;
}

/** Ranges of `\[ ... \]` display blocks; an unclosed one runs to the end of the text. */
function displayBlocks(text: string): SegmentSpan[] {
    const blocks: SegmentSpan[] = [];
    let open: number | null = null;
    // `\\` is matched first so that the backslash pair cannot start a bracket.
    for (const match of text.matchAll(/\\\\|\\\[|\\\]/gu)) {
        if (match[0] === "\\[" && open == null)
            open = match.index;
        else if (match[0] === "\\]" && open != null) {
            blocks.push({ start: open, end: match.index + 2 });
            open = null;
        }
    }
    if (open != null)
        blocks.push({ start: open, end: text.length });
    return blocks;
}

function chunksBetween(text: string, start: number, end: number, separators: WhitespaceRun[]): Chunk[] {
    const chunks: Chunk[] = [];
    let chunkStart = start;
    for (const separator of separators) {
        chunks.push(chunk(text, chunkStart, separator.start));
        chunkStart = separator.end;
    }
    chunks.push(chunk(text, chunkStart, end));
    return chunks;
}

function chunk(text: string, start: number, end: number): Chunk {
    let length = 0;
    for (const _ of text.slice(start, end))
        length++;
    return { start, end, length };
}

function mergeShortChunks(chunks: Chunk[], minChunkChars: number): SegmentSpan[] {
    const segments: SegmentSpan[] = [];
    let pendingStart: number | null = null;
    for (const current of chunks) {
        if (current.length >= minChunkChars) {
            segments.push({ start: pendingStart ?? current.start, end: current.end });
            pendingStart = null;
        } else {
            pendingStart ??= current.start;
        }
    }
    const last = segments[segments.length - 1];
    const lastChunk = chunks[chunks.length - 1];
    if (pendingStart != null && lastChunk != null) {
        if (last == null)
            segments.push({ start: pendingStart, end: lastChunk.end });
        else
            last.end = lastChunk.end;
    }
    return segments;
}
