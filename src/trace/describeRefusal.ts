import type { ContextRefusal, DraftProblem, DraftRefusal, Failure, Refusal } from "./refusal.js";

/**
 * Writes one measured number of a sentence. Every measured number goes through it, in the
 * same order for refusals of the same kind and settings, so a group of them can be written
 * as one sentence with each number shown as its range over the group (see reasonGroups.ts).
 */
export type Measure = (value: number, format?: (value: number) => string) => string;

const asWritten: Measure = (value, format = String) => format(value);

const percent = (share: number): string => (share * 100).toFixed(0);

/** The sentence a refusal is written as in a trace's `reason` and `rejected`/`usedDespite`. */
export function describeRefusal(refusal: Refusal): string {
    return refusalSentence(refusal, asWritten);
}

/** How a failed record's `error` reads. */
export function describeFailure(failure: Failure): string {
    return `${failure.name}: ${failure.message}`;
}

export function refusalSentence(refusal: Refusal, measure: Measure): string {
    switch (refusal.code) {
        case "empty-response":
            return "the response holds nothing after its last </think> (set answerAfterThink to false to score all of it)";
        case "context-too-small":
            return contextSentence(refusal, measure);
        case "draft":
            return draftSentence(refusal, measure);
        case "no-usable-draft":
            return `none of ${refusal.drafts.length} drafts can start a search: ` +
                refusal.drafts.map((draft, index) => `draft ${index + 1}: ${draftSentence(draft, measure)}`).join("; ");
        case "item-error":
            return refusal.message;
    }
}

function contextSentence(refusal: ContextRefusal, measure: Measure): string {
    const needs = measure(refusal.needs);
    const what = refusal.prompt === "edit" ? `an edit prompt with the longest allowed trajectory needs ${needs} tokens`
        : refusal.prompt === "initial" ? `the initial prompt and its generation need ${needs} tokens`
            : `scoring with the longest allowed trajectory needs ${needs} tokens`;
    const source = refusal.fromFlag ? "--context-size" : "its training context";
    const raise = refusal.fromFlag ? "raise --context-size up to the training context, or " : "";
    return `context too small: ${what}; the ${refusal.role}'s limit is ${refusal.cap} tokens (${source}; ${raise}lower --max-tokens or --max-thinking-tokens)`;
}

/** The first problem names the trajectory, the ones after it say "it". */
function draftSentence(refusal: DraftRefusal, measure: Measure): string {
    return refusal.problems.map((problem, index) => `${index === 0 ? "initial trajectory" : "it"} ${problemPredicate(problem, measure)}`).join("; ");
}

function problemPredicate(problem: DraftProblem, measure: Measure): string {
    switch (problem.code) {
        case "too-short":
            return `too short: ${measure(problem.tokens)} tokens < ${problem.min}`;
        case "single-segment":
            return "has a single segment";
        case "too-long":
            return `too long: ${measure(problem.tokens)} tokens > --max-thinking-tokens ${problem.max}`;
        case "copies-response":
            return `copies ${measure(problem.chars)} characters of the response verbatim (>= ${problem.max})`;
        case "degenerate":
            return `is degenerate: ${measure(problem.ratio, percent)}% of its ${problem.kind} ${problem.n}-grams repeat earlier ones (> ${percent(problem.max)}%)`;
    }
}
