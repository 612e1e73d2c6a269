/**
 * The rewrite in a refinement turn (method.md section 5), located as the reference does:
 * from the LAST "<refine>" of the whole turn to the LAST "</refine>" after it, trimmed.
 *
 * Taking the last opening tag means a model that mentions the tags in its analysis
 * ("I will put it between <refine> and </refine>") and then writes its block gets the
 * block, not the mention. Taking the last closing tag after it means a "</refine>" the
 * model writes inside its rewrite does not cut the rewrite short.
 *
 * - "closed": a "</refine>" follows the last "<refine>".
 * - "unclosed": none follows; the text runs to the end of the turn. The reference takes
 *   it as is; a stricter caller can reject it. There is no fall back to an earlier
 *   closed block: the model's last word is the rewrite, finished or not.
 * - "none": the turn holds no "<refine>", so there is no candidate.
 */
export type RefineBlock =
    | { kind: "closed"; text: string }
    | { kind: "unclosed"; text: string }
    | { kind: "none" };

const OPEN = "<refine>";
const CLOSE = "</refine>";

export function extractRefineBlock(generation: string): RefineBlock {
    const start = generation.lastIndexOf(OPEN);
    if (start < 0)
        return { kind: "none" };
    const bodyStart = start + OPEN.length;
    const end = generation.lastIndexOf(CLOSE);
    // lastIndexOf(OPEN) and lastIndexOf(CLOSE) cannot overlap, so end >= bodyStart or end < start.
    if (end < bodyStart)
        return { kind: "unclosed", text: generation.slice(bodyStart).trim() };
    return { kind: "closed", text: generation.slice(bodyStart, end).trim() };
}
