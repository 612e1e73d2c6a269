import type { ScoringTemplateName } from "../scoring/ScoringLayout.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * The scorer layout a trace was made with: its scorerTemplate field, or for traces written
 * before that field, what the prompt ids tell (those runs recorded "plain" for the plain
 * layout, the paper layout the ids of its score prompts). Undefined when neither shows.
 */
export function scoringTemplateOf(record: TraceRecord): ScoringTemplateName | undefined {
    if (record.scorerTemplate != null)
        return record.scorerTemplate;
    if (record.prompts.includes("plain"))
        return "none";
    if (record.prompts.some((id) => /^[a-z]+\/score@/.test(id)))
        return "paper";
    return undefined;
}
