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
