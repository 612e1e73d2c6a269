import { z } from "zod";
import { ReerError } from "../errors/ReerError.js";
import type { ModelIdentity } from "../model/LoadedModel.js";
import { scoringTemplateOf } from "../report/scoringTemplate.js";
import { PAPER_CLIP_FLOOR } from "../scoring/scoreAggregates.js";
import type { ScoringTemplateName } from "../scoring/ScoringLayout.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";

/**
 * How a trace's run scored: its scorer models (distinct by the sha256 of their first
 * MiB), scorer layouts and clip floors, each in order of first appearance. One run gives
 * one of each; merged shards of different runs can give more.
 */
export type RunScoring = {
    scorers: ModelIdentity[];
    templates: ScoringTemplateName[];
    clipFloors: number[];
};

/** `settings` is free-form in the schema; only the clip floor is read, checked here. */
const recordedClipSchema = z.object({ search: z.object({ clipFloor: z.number().negative() }) });

export function runScoringOf(records: readonly TraceRecord[]): RunScoring {
    const scorers = new Map<string, ModelIdentity>();
    const templates = new Set<ScoringTemplateName>();
    const clipFloors = new Set<number>();
    for (const record of records) {
        if (!scorers.has(record.models.scorer.headSha256))
            scorers.set(record.models.scorer.headSha256, record.models.scorer);
        // Traces from before scorerTemplate was recorded ran the paper layout unless their prompt ids say otherwise.
        templates.add(scoringTemplateOf(record) ?? "paper");
        const recorded = recordedClipSchema.safeParse(record.settings);
        clipFloors.add(recorded.success ? recorded.data.search.clipFloor : PAPER_CLIP_FLOOR);
    }
    return { scorers: [...scorers.values()], templates: [...templates], clipFloors: [...clipFloors] };
}

/**
 * The one value a run used for a setting, undefined when the trace has none; a trace that
 * mixes several cannot say which to use, so the flag must.
 */
export function onlyValue<T>(values: readonly T[], what: string, flag: string, show: (value: T) => string = String): T | undefined {
    if (values.length > 1)
        throw new ReerError("MISSING_ARGUMENT", `The trace's items were scored with ${values.length} different ${what}: ${values.map(show).join(", ")}.`,
            `Say which to evaluate with: ${flag}.`);
    return values[0];
}
