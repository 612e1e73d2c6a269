import type { Token } from "node-llama-cpp";
import { ContextOverflowError } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";
import type { InputRecord } from "../io/readRecords.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { PromptSet } from "../prompts/PromptSet.js";
import { AbortedError } from "../util/AbortedError.js";
import { PaperScoringLayout } from "./PaperScoringLayout.js";
import { PlainScoringLayout } from "./PlainScoringLayout.js";
import { ScoringContext, type ScoringContextOptions } from "./ScoringContext.js";
import type { ScoreAggregates } from "./scoreAggregates.js";
import type { ScoringLayout, ScoringTemplateName } from "./ScoringLayout.js";
import type { ScoringTokens } from "./ScoringTokens.js";
import type { TokenScorer, TokenScores } from "./TokenScorer.js";

export type ScoreRecordsOptions = Omit<ScoringContextOptions, "tokensNeeded"> & {
    template: ScoringTemplateName;
    prompts?: PromptSet;
    /** Leave y's first segment unscored in plain mode too. */
    splitHead?: boolean;
    /** Record per-token ids and log-probabilities in each result. */
    emitTokens?: boolean;
    /** Skip records that cannot be scored (unencodable text, too long) instead of failing. */
    skipInvalid?: boolean;
    /**
     * Stops the record being scored between decode batches when aborted (that record is
     * dropped, every finished one was already given to `onResult`); the summary then says `stopped`.
     */
    signal?: AbortSignal;
    /** Called once the records are tokenised, with how many will be scored. */
    onPrepared?: (count: number) => void;
};

export type RecordScore = ScoreAggregates & {
    id?: string;
    line: number;
    evaluatedTokens: number;
    reusedTokens: number;
    contextTokens?: Token[];
    scoredTokens?: Token[];
    tokenLogprobs?: number[];
};

export type RecordFailure = { line: number; id?: string; error: ReerError };

export type ScoreRecordsSummary = {
    scored: number;
    skipped: RecordFailure[];
    contextSize: number;
    path: string;
    evaluatedTokens: number;
    reusedTokens: number;
    /** True when `signal` stopped the run before every record was scored. */
    stopped: boolean;
};

export function createLayout(model: LoadedModel, template: ScoringTemplateName, options: { prompts?: PromptSet; splitHead?: boolean } = {}): ScoringLayout {
    return template === "paper"
        ? new PaperScoringLayout(model, options.prompts)
        : new PlainScoringLayout(model, { splitHead: options.splitHead ?? false });
}

/**
 * Scores PPL(y | x, z) for each record in order, calling `onResult` as each finishes.
 * All records are tokenised first so the context can be sized to the longest one.
 */
export async function scoreRecords(
    model: LoadedModel,
    records: InputRecord[],
    options: ScoreRecordsOptions,
    onResult: (result: RecordScore) => void | Promise<void>
): Promise<ScoreRecordsSummary> {
    const { prepared, skipped } = prepareRecords(model, records, options);
    const summary: ScoreRecordsSummary = { scored: 0, skipped, contextSize: 0, path: "", evaluatedTokens: 0, reusedTokens: 0, stopped: false };
    options.onPrepared?.(prepared.length);
    if (prepared.length === 0)
        return summary;

    const tokensNeeded = Math.max(...prepared.map(({ tokens }) => tokens.contextTokens.length + tokens.scoredTokens.length));
    const scorer = await ScoringContext.create(model, { ...options, tokensNeeded, sequences: 1 });
    try {
        const worker = scorer.scorers[0]!;
        summary.contextSize = scorer.contextSize;
        summary.path = worker.path;
        for (const { record, tokens } of prepared) {
            const scores = options.signal?.aborted === true ? undefined : await scoreUnlessStopped(worker, tokens, options.signal);
            if (scores == null) {
                summary.stopped = true;
                break;
            }
            summary.scored++;
            summary.evaluatedTokens += scores.evaluatedTokens;
            summary.reusedTokens += scores.reusedTokens;
            await onResult(recordScore(record, tokens, scores, options.emitTokens === true));
        }
    } finally {
        await scorer.dispose();
    }
    return summary;
}

type PreparedRecord = { record: InputRecord; tokens: ScoringTokens };

/**
 * Every record's tokens, checked against the context cap; a record that cannot be scored is
 * an error naming its line, or (with skipInvalid) a skipped record.
 */
function prepareRecords(model: LoadedModel, records: InputRecord[], options: ScoreRecordsOptions): { prepared: PreparedRecord[]; skipped: RecordFailure[] } {
    const layout = createLayout(model, options.template, options);
    const cap = options.maxContextSize ?? model.trainContextSize;
    const prepared: PreparedRecord[] = [];
    const skipped: RecordFailure[] = [];
    for (const record of records) {
        try {
            const tokens = layout.frame(record.prompt, record.response).tokensFor(record.thinking ?? "");
            const length = tokens.contextTokens.length + tokens.scoredTokens.length;
            if (length > cap)
                throw new ContextOverflowError("Scoring this record", length, cap, { modelMaximum: model.trainContextSize });
            if (tokens.scoredTokens.length === 0)
                throw new ReerError("EMPTY_CONTINUATION", "the scored part of the response has no tokens");
            prepared.push({ record, tokens });
        } catch (error) {
            if (!(error instanceof ReerError))
                throw error;
            const located = new ReerError(error.code, `Record at line ${record.line}${record.id == null ? "" : ` (id ${record.id})`}: ${error.message}`, error.hint);
            if (options.skipInvalid !== true)
                throw located;
            skipped.push({ line: record.line, ...(record.id == null ? {} : { id: record.id }), error: located });
        }
    }
    return { prepared, skipped };
}

/** The record's scores, or undefined when `signal` stopped the call. */
async function scoreUnlessStopped(worker: TokenScorer, tokens: ScoringTokens, signal: AbortSignal | undefined): Promise<TokenScores | undefined> {
    try {
        return await worker.score(tokens, signal == null ? {} : { signal });
    } catch (error) {
        if (error instanceof AbortedError)
            return undefined;
        throw error;
    }
}

function recordScore(record: InputRecord, tokens: ScoringTokens, scores: TokenScores, emitTokens: boolean): RecordScore {
    return {
        ...(record.id == null ? {} : { id: record.id }),
        line: record.line,
        tokenCount: scores.tokenCount,
        sumLogprob: scores.sumLogprob,
        meanNll: scores.meanNll,
        ppl: scores.ppl,
        clippedMeanNll: scores.clippedMeanNll,
        evaluatedTokens: scores.evaluatedTokens,
        reusedTokens: scores.reusedTokens,
        ...(emitTokens ? { contextTokens: tokens.contextTokens, scoredTokens: tokens.scoredTokens, tokenLogprobs: Array.from(scores.tokenLogprobs) } : {})
    };
}
