import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { ModelIdentity } from "../model/LoadedModel.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import type { SearchResult } from "../search/SearchTrace.js";
import type { DoneRecord, FailedRecord, InitialDraft, ScoredDraft, SkippedRecord, TraceScore } from "../trace/traceRecordSchema.js";
import { describeFailure, describeRefusal } from "../trace/describeRefusal.js";
import type { Refusal } from "../trace/refusal.js";
import { REER_VERSION } from "../version.js";
import type { ItemMeter } from "./ItemMeter.js";
import type { SynthesisItem } from "./SynthesisItem.js";

export const toTraceScore = (score: ScoreAggregates): TraceScore => ({
    clippedMeanNll: score.clippedMeanNll,
    meanNll: score.meanNll,
    ppl: score.ppl,
    tokenCount: score.tokenCount,
    sumLogprob: score.sumLogprob
});

/** What every record of a run names: the models, the config and its hash. */
export type RunIdentity = { config: SynthesisConfig; configHash: string; settings: Record<string, unknown>; generator: ModelIdentity; scorer: ModelIdentity };

/** The initial trajectory a search started from, and every draft when there were several. */
export type DraftOutcome = { initial?: InitialDraft; z0?: string; drafts?: ScoredDraft[] };

/**
 * Turns what happened to one item into its trace record: the fields every record carries
 * (identity, prompts used, work done) and the ones of its status.
 */
export class ItemRecord {
    private readonly prompts = new Set<string>();

    public constructor(private readonly item: SynthesisItem, private readonly run: RunIdentity, private readonly meter: ItemMeter) {}

    /** Records the templates a prompt was built from. */
    public usedPrompts(templateIds: readonly string[]): void {
        for (const id of templateIds)
            this.prompts.add(id);
    }

    public done(result: SearchResult, drafts: DraftOutcome, extra: { scoreEmpty: ScoreAggregates; yHeadChars: number }): DoneRecord {
        return {
            ...this.common(),
            status: "done",
            z0: result.z0,
            z: result.z,
            score0: toTraceScore(result.score0),
            score: toTraceScore(result.score),
            scoreEmpty: toTraceScore(extra.scoreEmpty),
            objective0: result.objective0,
            objectiveFinal: result.objective,
            steps: result.steps.map((step) => ({
                ...step,
                bestScore: toTraceScore(step.bestScore),
                candidates: step.candidates.map((candidate) => ({
                    ...candidate,
                    ...(candidate.score == null ? {} : { score: toTraceScore(candidate.score) })
                }))
            })),
            stopReason: result.stopReason,
            ...(result.stopError == null ? {} : { stopError: result.stopError }),
            segments: result.segments0.length,
            ...(drafts.initial == null ? {} : { initial: drafts.initial }),
            ...(drafts.drafts == null ? {} : { drafts: drafts.drafts }),
            yHeadChars: extra.yHeadChars
        };
    }

    public skipped(refusal: Refusal, drafts: DraftOutcome = {}): SkippedRecord {
        return {
            ...this.common(),
            status: "skipped",
            reason: describeRefusal(refusal),
            refusal,
            ...(drafts.z0 == null ? {} : { z0: drafts.z0 }),
            ...(drafts.initial == null ? {} : { initial: drafts.initial }),
            ...(drafts.drafts == null ? {} : { drafts: drafts.drafts })
        };
    }

    public failed(error: unknown): FailedRecord {
        if (!(error instanceof Error))
            return { ...this.common(), status: "failed", error: String(error) };
        const failure = { name: error.name, message: error.message };
        return { ...this.common(), status: "failed", error: describeFailure(failure), failure };
    }

    private common() {
        const { item, run } = this;
        return {
            id: item.id,
            key: item.key,
            line: item.line,
            x: item.x,
            y: item.y,
            ...(item.thinkingStrippedChars > 0 ? { thinkingStrippedChars: item.thinkingStrippedChars } : {}),
            objective: run.config.search.objective,
            scorerTemplate: run.config.scorerTemplate,
            steps: [],
            models: { generator: run.generator, scorer: run.scorer },
            prompts: [...this.prompts],
            seed: run.config.seed,
            configHash: run.configHash,
            settings: run.settings,
            ...this.meter.work(),
            reerVersion: REER_VERSION
        };
    }
}
