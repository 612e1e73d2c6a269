import type { ScoringTemplateName } from "../scoring/ScoringLayout.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * The scorer layout a trace was made with. The trace has no field for it, but its
 * prompt ids do tell: the plain layout records "plain", the paper layout the ids of its
 * score prompts. Undefined when neither shows (a skipped item that never got a frame).
 */
export function scoringTemplateOf(record: TraceRecord): ScoringTemplateName | undefined {
    if (record.prompts.includes("plain"))
        return "none";
    if (record.prompts.some((id) => /^[a-z]+\/score@/.test(id)))
        return "paper";
    return undefined;
}
