import { ReerError } from "../errors/ReerError.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptSet } from "../prompts/PromptSet.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";
import { ScoringContext, type ScoringContextOptions } from "../scoring/ScoringContext.js";
import { createLayout } from "../scoring/scoreRecords.js";
import type { ScoringTemplateName } from "../scoring/ScoringLayout.js";
import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { tokenPieces } from "./tokenPieces.js";

/** One displayed piece of y with its log-probability under z0 and under z (summed over its tokens). */
export type ScoredPiece = { text: string; before: number; after: number; tokens: number };

/** y of one item scored token by token under z0 and under z; the trace does not keep these. */
export type TokenComparison = {
    /** The item's resume key (unique in a trace, unlike ids of merged shards). */
    itemKey: string;
    modelName: string;
    /** sha256 of the model file's first MiB, to compare with the trace's scorer. */
    modelHeadSha256: string;
    template: ScoringTemplateName;
    /** The start of y that the layout leaves unscored in the context. */
    yHead: string;
    pieces: ScoredPiece[];
    before: ScoreAggregates;
    after: ScoreAggregates;
};

export type TokenComparisonOptions = Omit<ScoringContextOptions, "tokensNeeded" | "sequences" | "path"> & {
    template: ScoringTemplateName;
    prompts?: PromptSet;
};

/**
 * Re-scores y under the item's z0 and z with the same layout the synthesis scorer used.
 * The plain layout leaves y's head unscored only when the trace says the run did
 * (yHeadChars > 0), so token counts line up with the recorded scores.
 */
export async function compareTokenLogprobs(model: LoadedModel, record: TraceRecord, options: TokenComparisonOptions): Promise<TokenComparison> {
    if (record.status !== "done")
        throw new ReerError("REPORT_NO_TRAJECTORY", `Item ${JSON.stringify(record.id)} (${record.status}) has no final trajectory to score.`,
            "Only items whose status is done have a final trajectory to compare.");
    const layout = createLayout(model, options.template, {
        ...(options.prompts == null ? {} : { prompts: options.prompts }),
        splitHead: (record.yHeadChars ?? 0) > 0
    });
    const frame = layout.frame(record.x, record.y);
    const before = frame.tokensFor(record.z0);
    const after = frame.tokensFor(record.z);
    const tokensNeeded = Math.max(before.contextTokens.length, after.contextTokens.length) + frame.scoredTokens.length;
    const { template: _template, prompts: _prompts, ...scorerOptions } = options;
    const scorer = await ScoringContext.create(model, { ...scorerOptions, tokensNeeded, sequences: 1 });
    try {
        const worker = scorer.scorers[0]!;
        const scoreBefore = await worker.score(before);
        const scoreAfter = await worker.score(after);
        const pieces = tokenPieces(frame.scoredTokens, (tokens, lastTokens) => model.model.detokenize(tokens, false, lastTokens),
            after.contextTokens.slice(-8)).map(({ text, from, to }) => ({
            text,
            before: sumRange(scoreBefore.tokenLogprobs, from, to),
            after: sumRange(scoreAfter.tokenLogprobs, from, to),
            tokens: to - from
        }));
        return {
            itemKey: record.key,
            modelName: model.identity.name,
            modelHeadSha256: model.identity.headSha256,
            template: layout.name,
            yHead: frame.yHead,
            pieces,
            before: aggregatesOf(scoreBefore),
            after: aggregatesOf(scoreAfter)
        };
    } finally {
        await scorer.dispose();
    }
}

function sumRange(values: Float64Array, from: number, to: number): number {
    let sum = 0;
    for (let index = from; index < to; index++)
        sum += values[index]!;
    return sum;
}

/** Only the aggregates: the per-token arrays are already in the pieces. */
function aggregatesOf(score: ScoreAggregates): ScoreAggregates {
    return { tokenCount: score.tokenCount, sumLogprob: score.sumLogprob, meanNll: score.meanNll, ppl: score.ppl, clippedMeanNll: score.clippedMeanNll };
}
