import { ContextOverflowError } from "../errors/inputErrors.js";
import { ReerError } from "../errors/ReerError.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptSet } from "../prompts/PromptSet.js";
import { PAPER_CLIP_FLOOR, type ScoreAggregates } from "../scoring/scoreAggregates.js";
import { ScoringContext, type ScoringContextOptions } from "../scoring/ScoringContext.js";
import { createLayout } from "../scoring/scoreRecords.js";
import type { ScoringLayout, ScoringTemplateName } from "../scoring/ScoringLayout.js";
import type { ScoringTokens } from "../scoring/ScoringTokens.js";
import type { TokenScorer } from "../scoring/TokenScorer.js";
import { recordNote, type DoneRecord, type TraceRecord } from "../trace/traceRecordSchema.js";
import { AbortedError } from "../util/AbortedError.js";
import { REER_VERSION } from "../version.js";
import type { Evaluation, EvaluationItem, NotEvaluated } from "./evaluationSchema.js";
import { summarisePerplexities } from "./evaluationSummary.js";
import { latestById } from "../trace/latestById.js";

export type EvaluateTraceOptions = Omit<ScoringContextOptions, "tokensNeeded" | "sequences"> & {
    /** The scorer layout: the run's own for a faithful re-score, "none" for a judge without a chat template. */
    template: ScoringTemplateName;
    prompts?: PromptSet;
    /** Name done items the scorer cannot score (unencodable text, too long) in skipped_records instead of failing. */
    skipInvalid?: boolean;
    /** Stops the item being scored between decode batches when aborted (it is dropped); the summary then says `stopped`. */
    signal?: AbortSignal;
    /** Called once the items are tokenised, with how many will be scored. */
    onPrepared?: (count: number) => void;
    /** Called as each item is scored. */
    onItem?: (item: EvaluationItem) => void;
    /** The trace file's name, recorded in the summary. */
    trace?: string;
};

/** The three contexts of one item, tokenised. */
type PreparedItem = { record: DoneRecord; empty: ScoringTokens; initial: ScoringTokens; final: ScoringTokens };

/**
 * What the thinking is worth: for every done item of a trace, y's perplexity under `model`
 * with no thinking, with the initial trajectory z0 and with the final z, and a summary.
 * Records that share an id count once (the last); skipped and failed records are named,
 * not scored. The three contexts of an item are scored one after another on one sequence,
 * so the KV cache of x's prefix is evaluated once.
 */
export async function evaluateTrace(model: LoadedModel, records: readonly TraceRecord[], options: EvaluateTraceOptions): Promise<Evaluation> {
    if (options.template === "paper" && model.chatTemplate == null)
        throw new ReerError("NO_CHAT_TEMPLATE", `${model.identity.name} has no chat template, so it cannot score with the paper layout.`,
            "Evaluate with --template none (plain text: x, z, then y), or use a scorer with a chat template.");
    const { records: latest, duplicates } = latestById(records);
    const skipped: NotEvaluated[] = latest.filter((record) => record.status !== "done")
        .map((record) => ({ id: record.id, line: record.line, status: record.status, reason: recordNote(record) ?? "" }));
    const done = latest.filter((record): record is DoneRecord => record.status === "done");
    const prepared = prepareItems(model, done, options, skipped);
    options.onPrepared?.(prepared.length);
    const { items, scoring, stopped } = await scorePrepared(model, prepared, options);
    const runScorers = new Set((done.length > 0 ? done : latest).map((record) => record.models.scorer.headSha256));
    return {
        items,
        summary: {
            ...summarisePerplexities(items),
            scorer: model.identity,
            held_out: !runScorers.has(model.identity.headSha256),
            template: options.template,
            clip_floor: options.clipFloor ?? PAPER_CLIP_FLOOR,
            ...(options.trace == null ? {} : { trace: options.trace }),
            skipped_records: skipped,
            duplicate_ids: duplicates,
            stopped,
            scoring,
            reer_version: REER_VERSION
        }
    };
}

/** Each done item's three scorings, tokenised; an item that cannot be scored is an error or (skipInvalid) a skipped record. */
function prepareItems(model: LoadedModel, done: readonly DoneRecord[], options: EvaluateTraceOptions, skipped: NotEvaluated[]): PreparedItem[] {
    const layouts = new Map<boolean, ScoringLayout>();
    // The plain layout leaves y's head unscored only where the run did, so every template scores the run's part of y.
    const layoutFor = (record: DoneRecord): ScoringLayout => {
        const splitHead = (record.yHeadChars ?? 0) > 0;
        let layout = layouts.get(splitHead);
        if (layout == null) {
            layout = createLayout(model, options.template, { ...(options.prompts == null ? {} : { prompts: options.prompts }), splitHead });
            layouts.set(splitHead, layout);
        }
        return layout;
    };
    const cap = options.maxContextSize ?? model.trainContextSize;
    const prepared: PreparedItem[] = [];
    for (const record of done) {
        try {
            prepared.push(prepare(record, layoutFor(record), cap, model.trainContextSize));
        } catch (error) {
            if (!(error instanceof ReerError))
                throw error;
            const located = new ReerError(error.code, `Item ${JSON.stringify(record.id)} (line ${record.line}): ${error.message}`, error.hint);
            if (options.skipInvalid !== true)
                throw located;
            skipped.push({ id: record.id, line: record.line, status: "unscorable", reason: located.message });
        }
    }
    return prepared;
}

type ScoringFacts = NonNullable<Evaluation["summary"]["scoring"]>;

/** Scores every prepared item on one sequence, until done or stopped. */
async function scorePrepared(model: LoadedModel, prepared: readonly PreparedItem[], options: EvaluateTraceOptions): Promise<{ items: EvaluationItem[]; scoring: ScoringFacts; stopped: boolean }> {
    const items: EvaluationItem[] = [];
    const scoring: ScoringFacts = { context_size: 0, path: "", evaluated_tokens: 0, reused_tokens: 0 };
    if (prepared.length === 0)
        return { items, scoring, stopped: false };
    const tokensNeeded = Math.max(...prepared.flatMap((item) => [item.empty, item.initial, item.final].map(lengthOf)));
    const { template: _template, prompts: _prompts, skipInvalid: _skip, signal: _signal, onPrepared: _prepared, onItem: _item, trace: _trace, ...contextOptions } = options;
    const context = await ScoringContext.create(model, { ...contextOptions, tokensNeeded, sequences: 1 });
    try {
        const scorer = context.scorers[0]!;
        scoring.context_size = context.contextSize;
        scoring.path = scorer.path;
        for (const item of prepared) {
            const scores = options.signal?.aborted === true ? undefined : await scoreThree(scorer, item, scoring, options.signal);
            // A stop mid-item drops that item; the ones evaluated before it stand.
            if (scores == null)
                return { items, scoring, stopped: true };
            const evaluated = evaluationItem(item.record, scores);
            items.push(evaluated);
            options.onItem?.(evaluated);
        }
    } finally {
        await context.dispose();
    }
    return { items, scoring, stopped: false };
}

/** x first, then z0 and z: each call reuses the cache of everything before its first new token. Undefined when stopped. */
async function scoreThree(scorer: TokenScorer, item: PreparedItem, scoring: ScoringFacts, signal: AbortSignal | undefined): Promise<ScoreAggregates[] | undefined> {
    const scores: ScoreAggregates[] = [];
    try {
        for (const tokens of [item.empty, item.initial, item.final]) {
            const score = await scorer.score(tokens, signal == null ? {} : { signal });
            scoring.evaluated_tokens += score.evaluatedTokens;
            scoring.reused_tokens += score.reusedTokens;
            scores.push(score);
        }
    } catch (error) {
        if (error instanceof AbortedError)
            return undefined;
        throw error;
    }
    return scores;
}

function evaluationItem(record: DoneRecord, scores: ScoreAggregates[]): EvaluationItem {
    const [empty, initial, final] = scores as [ScoreAggregates, ScoreAggregates, ScoreAggregates];
    return {
        id: record.id,
        key: record.key,
        line: record.line,
        tokens: final.tokenCount,
        ppl_empty: empty.ppl,
        ppl_initial: initial.ppl,
        ppl_final: final.ppl,
        objective_empty: empty.clippedMeanNll,
        objective_initial: initial.clippedMeanNll,
        objective_final: final.clippedMeanNll
    };
}

function prepare(record: DoneRecord, layout: ScoringLayout, cap: number, modelMaximum: number): PreparedItem {
    const frame = layout.frame(record.x, record.y);
    if (frame.scoredTokens.length === 0)
        throw new ReerError("EMPTY_CONTINUATION", "the scored part of the response has no tokens");
    const item = { record, empty: frame.tokensFor(""), initial: frame.tokensFor(record.z0), final: frame.tokensFor(record.z) };
    const longest = Math.max(lengthOf(item.empty), lengthOf(item.initial), lengthOf(item.final));
    if (longest > cap)
        throw new ContextOverflowError("Scoring this item", longest, cap, { modelMaximum });
    return item;
}

function lengthOf(tokens: ScoringTokens): number {
    return tokens.contextTokens.length + tokens.scoredTokens.length;
}
