/** The text of the last <refine>...</refine> block, trimmed; undefined when there is none. */
export function extractLastRefineBlock(generation: string): string | undefined {
    const open = "<refine>";
    const close = "</refine>";
    const start = generation.lastIndexOf(open);
    if (start < 0)
        return undefined;
    const bodyStart = start + open.length;
    const end = generation.indexOf(close, bodyStart);
    // An unclosed final block (generation hit its token cap) is not a finished rewrite.
    if (end < 0)
        return undefined;
    return generation.slice(bodyStart, end).trim();
}

/** Length of the longest run of characters that `text` shares verbatim with `source`. */
export function longestCommonSubstringLength(text: string, source: string): number {
    if (text === "" || source === "")
        return 0;
    // Dynamic programming over one row: O(|text| * |source|) time, O(|source|) memory.
    let previous = new Uint32Array(source.length + 1);
    let current = new Uint32Array(source.length + 1);
    let best = 0;
    for (let i = 1; i <= text.length; i++) {
        const char = text.charCodeAt(i - 1);
        for (let j = 1; j <= source.length; j++) {
            const value = source.charCodeAt(j - 1) === char ? previous[j - 1]! + 1 : 0;
            current[j] = value;
            if (value > best)
                best = value;
        }
        [previous, current] = [current, previous];
        current.fill(0);
    }
    return best;
}
