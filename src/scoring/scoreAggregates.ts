/** The numbers every score reports (method.md section 2). Lower NLL is better. */
export type ScoreAggregates = {
    tokenCount: number;
    sumLogprob: number;
    /** Mean negative log-likelihood per scored token, in nats. */
    meanNll: number;
    /** exp(meanNll). */
    ppl: number;
    /** Mean of -max(logprob, clipFloor): the paper preset's objective, in [0, -clipFloor]. */
    clippedMeanNll: number;
};

/** The paper preset clips per-token log-probabilities to [-2, 0]. */
export const PAPER_CLIP_FLOOR = -2;

export function aggregateLogprobs(logprobs: ArrayLike<number>, clipFloor: number = PAPER_CLIP_FLOOR): ScoreAggregates {
    if (!(clipFloor < 0))
        throw new RangeError(`clipFloor must be negative, got ${clipFloor}`);
    const tokenCount = logprobs.length;
    let sumLogprob = 0;
    let clippedSum = 0;
    for (let i = 0; i < tokenCount; i++) {
        const logprob = logprobs[i]!;
        sumLogprob += logprob;
        clippedSum += -Math.min(0, Math.max(logprob, clipFloor));
    }
    const meanNll = tokenCount === 0 ? NaN : -sumLogprob / tokenCount;
    return {
        tokenCount,
        sumLogprob,
        meanNll,
        ppl: Math.exp(meanNll),
        clippedMeanNll: tokenCount === 0 ? NaN : clippedSum / tokenCount
    };
}
