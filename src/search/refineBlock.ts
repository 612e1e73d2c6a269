/**
 * The text of the last <refine>...</refine> block, trimmed; undefined when there is none.
 * `allowUnclosed` also takes a final block whose closing tag never came.
 */
export function extractLastRefineBlock(generation: string, allowUnclosed = false): string | undefined {
    const open = "<refine>";
    const close = "</refine>";
    const start = generation.lastIndexOf(open);
    if (start < 0)
        return undefined;
    const bodyStart = start + open.length;
    const end = generation.indexOf(close, bodyStart);
    // An unclosed final block (generation hit its token cap) is not a finished rewrite,
    // unless the caller accepts cut rewrites; a closed block before it still is.
    if (end < 0)
        return allowUnclosed ? generation.slice(bodyStart).trim() : extractLastRefineBlock(generation.slice(0, start));
    return generation.slice(bodyStart, end).trim();
}
