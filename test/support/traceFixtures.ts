// Trace records for tests, in one place. Every builder ends in the published schema's
// parse, so a test can never pass on a record that `reer synthesize` could not have
// written:
//   doneRecord / skippedRecord / failedRecord: one small record of each status, any field overridden;
//   refusedRecord: a skipped record with its refusal, as synthesize writes it;
//   searchedRecord: a done record built step by step, whose steps replay onto z0 and give z;
//   sampleTrace: five items in the shape of a real run (paper prompts, hostile text), for the report.
import type { TokenComparison } from "../../src/report/tokenComparison.js";
import { aggregateLogprobs } from "../../src/scoring/scoreAggregates.js";
import { splitHeadTail } from "../../src/text/segmentText.js";
import { describeRefusal } from "../../src/trace/describeRefusal.js";
import type { Refusal } from "../../src/trace/refusal.js";
import {
    doneRecordSchema,
    failedRecordSchema,
    skippedRecordSchema,
    type CandidateRejection,
    type DoneRecord,
    type FailedRecord,
    type SkippedRecord,
    type TraceCandidate,
    type TraceRecord,
    type TraceScore,
    type TraceStep
} from "../../src/trace/traceRecordSchema.js";
import { seededRandom } from "../../src/util/seededRandom.js";

// ---------------------------------------------------------------------------------------
// One record of each status
// ---------------------------------------------------------------------------------------

/** A score whose clipped mean NLL is `clippedMeanNll`; by default meanNll equals it, ppl = exp(meanNll), 20 tokens. */
export function score(clippedMeanNll: number, fields: Partial<TraceScore> = {}): TraceScore {
    const meanNll = fields.meanNll ?? clippedMeanNll;
    const tokenCount = fields.tokenCount ?? 20;
    return { clippedMeanNll, meanNll, ppl: Math.exp(meanNll), tokenCount, sumLogprob: -meanNll * tokenCount, ...fields };
}

const testModel = { path: "/models/test.gguf", name: "test", sizeBytes: 1, headSha256: "0".repeat(64), architecture: "llama" };

/** Two segments of at least 100 characters, so segmentText splits it as the search did. */
export const defaultZ =
    "First I consider what the reader needs from the story and which details matter most for a young child at bedtime.\n\n" +
    "Then I settle the order of events, so that the ending follows from the beginning in a calm and clear way.";

/** The fields every status has; the key follows the id unless given. */
function commonFields(overrides: { id?: string; key?: string }) {
    const id = overrides.id ?? "item-1";
    return {
        id,
        key: overrides.key ?? id,
        line: 1,
        x: "Write a short story about a lighthouse keeper.",
        y: "Old Tomas kept the light burning through every storm, and the boats came home safe.",
        objective: "clippedMeanNll",
        steps: [],
        models: { generator: testModel, scorer: testModel },
        prompts: ["en/initial@000000000000"],
        seed: 0,
        configHash: "0000000000000000",
        tokens: { generated: 100, scoringEvaluated: 80, scoringReused: 20 },
        timings: { totalMs: 1000, generationMs: 800, scoringMs: 200 },
        reerVersion: "0.1.0"
    };
}

/** A small done record (z = z0 = defaultZ, 1.5 -> 1.2, no steps). */
export function doneRecord(overrides: Partial<DoneRecord> = {}): DoneRecord {
    return doneRecordSchema.parse({
        ...commonFields(overrides),
        status: "done",
        z0: defaultZ,
        z: defaultZ,
        score0: score(1.5),
        score: score(1.2),
        objective0: 1.5,
        objectiveFinal: 1.2,
        stopReason: "all-segments",
        segments: 2,
        initial: { opener: "First", raw: defaultZ.slice(5) + "\n</think>", tokensGenerated: 60, stop: "stop-string", closed: true },
        ...overrides
    });
}

export function skippedRecord(overrides: Partial<SkippedRecord> = {}): SkippedRecord {
    return skippedRecordSchema.parse({ ...commonFields(overrides), status: "skipped", reason: "initial trajectory has a single segment", ...overrides });
}

/** A skipped record as synthesize writes one: the refusal, and its sentence as the reason. */
export function refusedRecord(refusal: Refusal, overrides: Partial<SkippedRecord> = {}): SkippedRecord {
    return skippedRecord({ ...overrides, reason: describeRefusal(refusal), refusal });
}

export function failedRecord(overrides: Partial<FailedRecord> = {}): FailedRecord {
    return failedRecordSchema.parse({ ...commonFields(overrides), status: "failed", error: "Error: decode failed", ...overrides });
}

/** The record as a done one; fails the test when it is not. */
export function asDone(record: TraceRecord): DoneRecord {
    if (record.status !== "done")
        throw new Error(`expected a done record, got ${record.status}`);
    return record;
}

// ---------------------------------------------------------------------------------------
// A done record built step by step
// ---------------------------------------------------------------------------------------

/** One candidate of a step: a scored rewrite, or a rejected turn. */
export type CandidatePlan =
    | { text: string; objective: number; accepted?: boolean; raw?: string; tokensGenerated?: number }
    | { rejected: CandidateRejection; raw?: string; text?: string; tokensGenerated?: number };

export type StepPlan = {
    segment: number;
    pass?: number;
    /** The candidates as listed (at most one accepted, which must beat the best so far). */
    candidates?: CandidatePlan[];
    /**
     * Shorthand when `candidates` is absent: one rejected turn per entry of `rejected`, a
     * scored candidate 0.013 worse than the best, then `rewrite` (if given), accepted
     * `gain` (default 0.05) below the best.
     */
    rejected?: CandidateRejection[];
    rewrite?: string;
    gain?: number;
};

export type SearchPlan = {
    /** The segments of z0. */
    segments: string[];
    objective0: number;
    steps: StepPlan[];
    /** The score recorded for an objective value (default: score(objective)). */
    scoreOf?: (objective: number) => TraceScore;
};

function rejectedCandidate(plan: { rejected: CandidateRejection; raw?: string; text?: string; tokensGenerated?: number }, original: string): TraceCandidate {
    const reason = plan.rejected;
    const text = plan.text ?? (reason === "no-refine-block" ? undefined : reason === "identical" ? original : "");
    return {
        raw: plan.raw ?? (text == null ? "I think this part is fine as it is." : `<refine>${text}</refine>`),
        ...(text == null ? {} : { text }),
        status: "rejected",
        reason,
        ...(plan.tokensGenerated == null ? {} : { tokensGenerated: plan.tokensGenerated })
    };
}

/** The shorthand form of a step as explicit candidates. */
function expandStep(step: StepPlan, original: string, best: number): CandidatePlan[] {
    const candidates: CandidatePlan[] = (step.rejected ?? []).map((reason) => ({ rejected: reason, tokensGenerated: 24 }));
    candidates.push({ text: `${original} Let me double-check.`, objective: best + 0.013, tokensGenerated: 60 });
    if (step.rewrite != null)
        candidates.push({ text: step.rewrite, objective: best - (step.gain ?? 0.05), accepted: true, tokensGenerated: 80 });
    return candidates;
}

/**
 * A done record whose steps replay exactly as the refinement loop applied them: each
 * step's `original` is the segment as it stood, an accepted rewrite replaces it, z0 and z
 * are the segments joined by blank lines. `overrides` sets the other fields (id, x, y, ...).
 */
export function searchedRecord(plan: SearchPlan, overrides: Partial<DoneRecord> = {}): DoneRecord {
    const scoreOf = plan.scoreOf ?? ((objective: number) => score(objective));
    const current = plan.segments.map((segment) => segment.trim());
    let best = plan.objective0;
    const steps = plan.steps.map((step): TraceStep => {
        const original = current[step.segment];
        if (original == null)
            throw new Error(`step on segment ${step.segment}, but z0 has ${current.length} segment(s)`);
        const planned = step.candidates ?? expandStep(step, original, best);
        let chosen: number | null = null;
        const candidates = planned.map((candidate, index): TraceCandidate => {
            if ("rejected" in candidate)
                return rejectedCandidate(candidate, original);
            if (candidate.accepted === true) {
                if (chosen != null || candidate.objective >= best)
                    throw new Error(`step on segment ${step.segment}: an accepted candidate must be the only one and beat ${best}`);
                chosen = index;
            }
            return {
                raw: candidate.raw ?? `<refine>${candidate.text}</refine>`,
                text: candidate.text,
                status: "scored",
                score: scoreOf(candidate.objective),
                objective: candidate.objective,
                ...(candidate.tokensGenerated == null ? {} : { tokensGenerated: candidate.tokensGenerated })
            };
        });
        if (chosen != null) {
            best = candidates[chosen]!.objective!;
            current[step.segment] = candidates[chosen]!.text!.trim();
        }
        return { pass: step.pass ?? 1, segment: step.segment, original, candidates, chosen, best, bestScore: scoreOf(best) };
    });
    return doneRecord({
        z0: plan.segments.map((segment) => segment.trim()).join("\n\n"),
        z: current.join("\n\n"),
        segments: plan.segments.length,
        score0: scoreOf(plan.objective0),
        score: scoreOf(best),
        objective0: plan.objective0,
        objectiveFinal: best,
        steps,
        ...overrides
    });
}

/**
 * A search that accepted one rewrite: z0 = A + B becomes A' + B at step 0 (A'' scored
 * worse, a third candidate had no <refine> block, a fourth tied with A'), and step 1
 * found nothing better for B (its only candidate scored worse than the best).
 */
export const oneRewrite = {
    segmentA: "The reader is a child at bedtime, so the story needs a gentle start, one clear fear and a brave turn near the end.",
    segmentB: "The lighthouse gives the setting: the stairs, the lamp, the storm outside and the small boat that needs the light to get home.",
    rewriteA: "A child will hear this at bedtime: start gently, name one fear plainly, and let courage arrive near the end.",
    worseA: "Children like stories. The story should be a story about a lighthouse and a keeper in it.",
    tiedA: "Bedtime listener: a soft opening, a single fear, and bravery at the close.",
    worseB: "Describe the lighthouse."
} as const;

export function oneRewriteRecord(overrides: Partial<DoneRecord> = {}): DoneRecord {
    const { segmentA, segmentB, rewriteA, worseA, tiedA, worseB } = oneRewrite;
    return searchedRecord({
        segments: [segmentA, segmentB],
        objective0: 1.4,
        steps: [
            {
                segment: 0, candidates: [
                    { text: rewriteA, objective: 1.0, accepted: true },
                    { text: worseA, objective: 1.5 },
                    { rejected: "no-refine-block", raw: "no block" },
                    // A tie with the accepted rewrite is no preference either way.
                    { text: tiedA, objective: 1.0 }
                ]
            },
            { segment: 1, candidates: [{ text: worseB, objective: 1.2 }] }
        ]
    }, { id: "searched", ...overrides });
}

// ---------------------------------------------------------------------------------------
// A run in the shape of a real one, for the report
// ---------------------------------------------------------------------------------------

const PAPER_PROMPTS = ["en/system@0123456789ab", "en/score@123456789abc", "en/initial@23456789abcd", "en/edit@3456789abcde"];

/** Scores as a real scorer gives them: meanNll above the clipped mean, `tokenCount` tokens of y. */
function paperScore(clippedMeanNll: number, tokenCount: number): TraceScore {
    return score(clippedMeanNll, { meanNll: clippedMeanNll * 1.15, tokenCount });
}

function paperRun(line: number, id: string, x: string, y: string) {
    const model = (name: string) => ({ path: `/models/${name}.gguf`, name, sizeBytes: 4_683_000_000, headSha256: "ab12cd34".repeat(8), architecture: "qwen2" });
    return {
        id, key: id, line, x, y,
        models: { generator: model("Qwen2.5-7B-Instruct"), scorer: model("Qwen2.5-1.5B-Instruct") },
        prompts: PAPER_PROMPTS,
        seed: 7,
        configHash: "f00dfeed".repeat(8),
        tokens: { generated: 0, scoringEvaluated: 0, scoringReused: 0 },
        timings: { totalMs: 0, generationMs: 0, scoringMs: 0 }
    };
}

export type PaperItemPlan = {
    id: string;
    x: string;
    y: string;
    segments: string[];
    score0: number;
    steps: StepPlan[];
    yTokens?: number;
    prompts?: string[];
};

/** A finished item of a run with the paper's prompts and two Qwen models, searched step by step. */
export function paperDoneRecord(line: number, plan: PaperItemPlan): DoneRecord {
    const tokenCount = plan.yTokens ?? 40 + Math.round(plan.y.length / 4);
    const z0 = plan.segments.map((segment) => segment.trim()).join("\n\n");
    return searchedRecord({ segments: plan.segments, objective0: plan.score0, steps: plan.steps, scoreOf: (value) => paperScore(value, tokenCount) }, {
        ...paperRun(line, plan.id, plan.x, plan.y),
        prompts: plan.prompts ?? PAPER_PROMPTS,
        scoreEmptyZ: paperScore(plan.score0 + 0.2, tokenCount),
        initial: { opener: "Alright, the user", raw: z0, tokensGenerated: 200, stop: "eos", closed: true },
        yHeadChars: 0,
        tokens: { generated: 200 + plan.steps.length * 140, scoringEvaluated: 3000, scoringReused: 9000 },
        timings: { totalMs: 42_000 + line * 1000, generationMs: 30_000, scoringMs: 12_000 }
    });
}

export function paperSkippedRecord(line: number, id: string, x: string, y: string, reason: string): SkippedRecord {
    return skippedRecord({ ...paperRun(line, id, x, y), reason });
}

export function paperFailedRecord(line: number, id: string, x: string, y: string, error: string): FailedRecord {
    return failedRecord({ ...paperRun(line, id, x, y), error });
}

/** Text that must survive escaping everywhere it appears. */
export const HOSTILE = "</script><b>&amp; \"quoted\" 'single' <!-- x";

const lighthouseSegments = [
    "Alright, the user wants a short story about a lighthouse keeper who finds a message in a bottle. I should keep it warm and quiet, with a small twist at the end.",
    "First, who is the keeper? An old man, Elias, who has kept the light for forty years and talks to the gulls because nobody else comes out to the rock anymore.",
    "The bottle should wash up after a storm. Inside, a note in a child's handwriting: a drawing of the lighthouse and the words 'thank you for keeping us safe'.",
    "How to end it? Elias could write back and set the bottle adrift, so the story closes on a small act of hope rather than an explanation of who wrote it."
];

const breadSegments = [
    "Alright, the user is asking why bread dough needs to rest. The short answer is gluten and yeast, but I should explain both without getting too technical.",
    "Kneading builds gluten strands, and they get tight and elastic. Resting lets them relax, which is why rested dough stretches instead of snapping back.",
    "Meanwhile the yeast eats sugars and makes carbon dioxide, which the gluten network traps. That is the rise; it also develops flavour through fermentation.",
    "There is also hydration: flour keeps absorbing water during the rest (autolyse), so the dough becomes smoother and easier to shape without extra flour.",
    "I should finish with a practical tip: if the dough fights back while shaping, cover it and wait ten minutes rather than adding more force or more flour."
];

const trickySegments = [
    `The user pasted code with angle brackets: if (a < b && c > d) { return "x"; } and wants to know why it prints nothing. ${HOSTILE}`,
    "The condition uses && so both sides must hold. With a = 3 and b = 2 the first comparison already fails, and the return is never reached at all here.",
    "So the fix is either to swap the comparison or to log both values first. I will suggest logging, since it shows which half of the condition fails."
];

/** Five items: three done (one with hostile text), one skipped, one failed. "ex-bread" improves most. */
export function sampleTrace(): TraceRecord[] {
    return [
        paperDoneRecord(1, {
            id: "ex-lighthouse",
            x: "Write a short story about a lighthouse keeper who finds a message in a bottle.",
            y: "Elias found the bottle on a grey morning after the storm.\n\nInside was a child's drawing of his lighthouse and four words: thank you for keeping us safe. He read it twice, then wrote back.",
            segments: lighthouseSegments,
            score0: 1.42,
            steps: [
                { segment: 0, rejected: ["no-refine-block"] },
                { segment: 1, rewrite: "The keeper is Elias, seventy, alone on the rock for forty years. The story is about being noticed, so the message must be addressed to him, not to anyone.", gain: 0.061 },
                { segment: 2, rejected: ["identical", "copies-response"] },
                { segment: 3, rewrite: "End on Elias writing a reply and giving it to the sea: the answer to 'thank you' is not an explanation but a small gesture back.", gain: 0.034 }
            ]
        }),
        paperDoneRecord(2, {
            id: `tricky-${HOSTILE}`,
            x: `Why does this print nothing? ${HOSTILE}\nif (a < b && c > d) { console.log("x & y"); }`,
            y: `Because the condition is false: <script>alert("no")</script> & with a = 3, b = 2 the test a < b fails. ${HOSTILE}`,
            segments: trickySegments,
            score0: 1.08,
            steps: [
                { segment: 0, rewrite: `Read the condition literally: a < b must hold AND c > d must hold; the snippet is "${HOSTILE}" as pasted.`, gain: 0.022 },
                { segment: 1 },
                { segment: 2, rejected: ["empty"] }
            ]
        }),
        paperDoneRecord(3, {
            id: "ex-bread",
            x: "Why does bread dough need to rest?",
            y: "Resting relaxes the gluten that kneading tightened, so the dough stretches instead of tearing.\n\nIt also gives the yeast time to make gas and flavour, and lets the flour finish absorbing water.",
            segments: breadSegments,
            score0: 1.61,
            steps: [
                { segment: 0, rewrite: "The user asks why dough rests. Two mechanisms do the work: gluten relaxes, and yeast ferments. Name both first, then explain each briefly.", gain: 0.12 },
                { segment: 1, rewrite: "Kneading aligns and tightens gluten; resting lets those strands relax, so the dough stretches when shaped instead of tearing or springing back.", gain: 0.09 },
                { segment: 2, rejected: ["no-refine-block", "no-refine-block"] },
                { segment: 3, rewrite: "Flour keeps absorbing water while the dough sits, which is why a rested dough feels smoother and needs less extra flour on the bench.", gain: 0.05 },
                { segment: 4 }
            ]
        }),
        paperSkippedRecord(4, "ex-letter-zh", "写一封感谢信给老师，感谢她这一年的耐心和帮助。", "亲爱的王老师：\n\n感谢您这一年来的耐心教导。",
            "context too small: an edit prompt with the longest trajectory needs 2118 tokens, the generator context holds 1792"),
        paperFailedRecord(5, "ex-haiku", "Write a haiku about rain.", "Soft rain on the roof\nthe kettle begins to sing\nnobody is late", "Error: decode failed")
    ];
}

/**
 * Per-token log-probabilities as `reer report --model` would attach them, made up (word
 * pieces, seeded values leaning towards "better under z") so tests need no model.
 */
export function fakeTokenComparison(record: TraceRecord, seed = 1): TokenComparison {
    const random = seededRandom(seed);
    const { head, tail } = splitHeadTail(record.y, { minChunkChars: 40 });
    const pieces = (tail.match(/\s*\S+/g) ?? []).map((text) => {
        const before = -0.05 - random() * 3;
        const after = Math.min(0, before + (random() - 0.3) * 1.6);
        return { text, before, after, tokens: 1 };
    });
    return {
        itemKey: record.key,
        modelName: record.models.scorer.name,
        modelHeadSha256: record.models.scorer.headSha256,
        template: "paper",
        yHead: head,
        pieces,
        before: aggregateLogprobs(pieces.map((piece) => piece.before)),
        after: aggregateLogprobs(pieces.map((piece) => piece.after))
    };
}
