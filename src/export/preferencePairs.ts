import type { TraceRecord } from "../trace/traceRecordSchema.js";
import { joinSegments } from "../text/segmentText.js";
import { assistantTurn } from "./chatRows.js";
import { replaySteps, withSegment } from "../trace/replaySteps.js";

/**
 * One DPO pair from the search trace. The prompt is the request x; chosen and rejected
 * are whole assistant turns (`<think>\n{z}\n</think>\n\n{y}`, as in the messages export)
 * whose trajectories differ only in the segment the step edited: the accepted rewrite
 * versus a rewrite the scorer ranked worse. Whole turns rather than the edit context keep
 * the pairs in the same shape as the SFT data and usable by any DPO trainer; the shared
 * prefix contributes nothing to the DPO loss, so the preference signal is the segment.
 *
 * Scores are the search objective of each full trajectory (the record's `objective`,
 * clipped mean NLL of y by default): lower is better, so chosenScore < rejectedScore.
 */
export type PreferencePair = {
    id: string;
    /** Index into the record's steps. */
    step: number;
    prompt: string;
    chosen: string;
    rejected: string;
    chosenScore: number;
    rejectedScore: number;
    /** "candidate": a worse rewrite of the same step; "original": the segment before the edit. */
    rejectedFrom: "candidate" | "original";
};

export type PreferenceOptions = {
    /** Also pair the accepted rewrite with the segment it replaced (the trajectory before the step). */
    pairWithOriginal?: boolean;
};

/** The pairs of one record, or undefined when its steps cannot be replayed onto z0. */
export function preferencePairs(record: TraceRecord, options: PreferenceOptions = {}): PreferencePair[] | undefined {
    if (record.status !== "done")
        return undefined;
    const replay = replaySteps(record);
    if (replay == null)
        return undefined;
    const pairs: PreferencePair[] = [];
    for (const { index, step, segments, objectiveBefore } of replay.states) {
        if (step.chosen == null)
            continue;
        const accepted = step.candidates[step.chosen];
        if (accepted?.text == null || accepted.objective == null)
            continue;
        const chosen = assistantTurn(withSegment(segments, step.segment, accepted.text), record.y);
        const pair = (rejectedZ: string, rejectedScore: number, rejectedFrom: PreferencePair["rejectedFrom"]): PreferencePair => ({
            id: record.id, step: index, prompt: record.x, chosen, rejected: assistantTurn(rejectedZ, record.y),
            chosenScore: accepted.objective!, rejectedScore, rejectedFrom
        });
        const usedTexts = new Set([accepted.text.trim()]);
        for (const candidate of step.candidates) {
            if (candidate.status !== "scored" || candidate.text == null || candidate.objective == null)
                continue;
            // Only strictly worse candidates, and each distinct rewrite once.
            if (!(candidate.objective > accepted.objective) || usedTexts.has(candidate.text.trim()))
                continue;
            usedTexts.add(candidate.text.trim());
            pairs.push(pair(withSegment(segments, step.segment, candidate.text), candidate.objective, "candidate"));
        }
        if (options.pairWithOriginal === true && objectiveBefore > accepted.objective)
            pairs.push(pair(joinSegments([...segments]), objectiveBefore, "original"));
    }
    return pairs;
}
