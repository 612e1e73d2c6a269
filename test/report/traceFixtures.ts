// Small synthesis traces for the report tests, built step by step the way the
// refinement loop writes them and validated against the published schema.
import type { TokenComparison } from "../../src/report/tokenComparison.js";
import { aggregateLogprobs } from "../../src/scoring/scoreAggregates.js";
import { joinSegments, splitHeadTail } from "../../src/text/segmentText.js";
import { seededRandom } from "../../src/util/seededRandom.js";
import { doneRecordSchema, traceRecordSchema, type DoneRecord, type TraceRecord, type TraceScore } from "../../src/trace/traceRecordSchema.js";

type StepPlan = {
    segment: number;
    /** Accepted rewrite of the segment; absent when the original is kept. */
    rewrite?: string;
    /** Objective drop of the accepted rewrite. */
    gain?: number;
    rejected?: ("empty" | "identical" | "no-refine-block" | "copies-response")[];
    pass?: number;
};

type DonePlan = {
    id: string;
    x: string;
    y: string;
    segments: string[];
    score0: number;
    steps: StepPlan[];
    yTokens?: number;
    prompts?: string[];
};

const PAPER_PROMPTS = ["en/system@0123456789ab", "en/score@123456789abc", "en/initial@23456789abcd", "en/edit@3456789abcde"];

export function score(clippedMeanNll: number, tokenCount = 120): TraceScore {
    const meanNll = clippedMeanNll * 1.15;
    return { clippedMeanNll, meanNll, ppl: Math.exp(meanNll), tokenCount, sumLogprob: -meanNll * tokenCount };
}

function base(id: string, line: number, x: string, y: string) {
    const model = (name: string) => ({ path: `/models/${name}.gguf`, name, sizeBytes: 4_683_000_000, headSha256: "ab12cd34".repeat(8), architecture: "qwen2" });
    return {
        id, key: id, line, x, y,
        objective: "clippedMeanNll",
        models: { generator: model("Qwen2.5-7B-Instruct"), scorer: model("Qwen2.5-1.5B-Instruct") },
        prompts: PAPER_PROMPTS,
        seed: 7,
        configHash: "f00dfeed".repeat(8),
        tokens: { generated: 0, scoringEvaluated: 0, scoringReused: 0 },
        timings: { totalMs: 0, generationMs: 0, scoringMs: 0 },
        reerVersion: "0.1.0",
        steps: []
    };
}

/** A finished item whose steps replay onto `segments` exactly as the loop would have applied them. */
export function doneRecord(line: number, plan: DonePlan): DoneRecord {
    const current = plan.segments.map((segment) => segment.trim());
    const tokenCount = plan.yTokens ?? 40 + Math.round(plan.y.length / 4);
    let best = plan.score0;
    const steps = plan.steps.map((step) => {
        const original = current[step.segment]!;
        const candidates: TraceRecord["steps"][number]["candidates"] = (step.rejected ?? []).map((reason) => ({
            raw: reason === "no-refine-block" ? "I think this part is fine as it is." : `<refine>${reason === "identical" ? original : ""}</refine>`,
            ...(reason === "no-refine-block" ? {} : { text: reason === "identical" ? original : "" }),
            status: "rejected" as const,
            reason,
            tokensGenerated: 24
        }));
        // A scored candidate that does not beat the best so far.
        candidates.push({ raw: `<refine>${original} Let me double-check.</refine>`, text: `${original} Let me double-check.`, status: "scored",
            score: score(best + 0.013, tokenCount), objective: best + 0.013, tokensGenerated: 60 });
        let chosen: number | null = null;
        if (step.rewrite != null) {
            best -= step.gain ?? 0.05;
            candidates.push({ raw: `<refine>${step.rewrite}</refine>`, text: step.rewrite, status: "scored", score: score(best, tokenCount), objective: best, tokensGenerated: 80 });
            chosen = candidates.length - 1;
            current[step.segment] = step.rewrite.trim();
        }
        return { pass: step.pass ?? 1, segment: step.segment, original, candidates, chosen, best, bestScore: score(best, tokenCount) };
    });
    const z0 = joinSegments(plan.segments);
    return doneRecordSchema.parse({
        ...base(plan.id, line, plan.x, plan.y),
        prompts: plan.prompts ?? PAPER_PROMPTS,
        status: "done",
        z0,
        z: joinSegments(current),
        score0: score(plan.score0, tokenCount),
        score: score(best, tokenCount),
        scoreEmptyZ: score(plan.score0 + 0.2, tokenCount),
        objective0: plan.score0,
        objectiveFinal: best,
        steps,
        stopReason: "all-segments",
        segments: plan.segments.length,
        initial: { opener: "Alright, the user", raw: z0, tokensGenerated: 200, stop: "eos", closed: true },
        yHeadChars: 0,
        tokens: { generated: 200 + steps.length * 140, scoringEvaluated: 3000, scoringReused: 9000 },
        timings: { totalMs: 42_000 + line * 1000, generationMs: 30_000, scoringMs: 12_000 }
    });
}

export function skippedRecord(line: number, id: string, x: string, y: string, reason: string): TraceRecord {
    return traceRecordSchema.parse({ ...base(id, line, x, y), status: "skipped", reason });
}

export function failedRecord(line: number, id: string, x: string, y: string, error: string): TraceRecord {
    return traceRecordSchema.parse({ ...base(id, line, x, y), status: "failed", error });
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
        doneRecord(1, {
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
        doneRecord(2, {
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
        doneRecord(3, {
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
        skippedRecord(4, "ex-letter-zh", "写一封感谢信给老师，感谢她这一年的耐心和帮助。", "亲爱的王老师：\n\n感谢您这一年来的耐心教导。",
            "context too small: an edit prompt with the longest trajectory needs 2118 tokens, the generator context holds 1792"),
        failedRecord(5, "ex-haiku", "Write a haiku about rain.", "Soft rain on the roof\nthe kettle begins to sing\nnobody is late", "Error: decode failed")
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
