import type { ObjectiveName } from "../config/searchConfig.js";
import type { ScoreAggregates } from "../scoring/scoreAggregates.js";

/** The number the search minimises, given a trajectory's score and (for gains) the empty-z score. */
export function objectiveValue(name: ObjectiveName, score: ScoreAggregates, emptyZScore?: ScoreAggregates): number {
    switch (name) {
        case "clippedMeanNll":
            return score.clippedMeanNll;
        case "meanNll":
            return score.meanNll;
        case "sumNll":
            return -score.sumLogprob;
        case "meanNllGainOverEmpty":
            if (emptyZScore == null)
                throw new Error("meanNllGainOverEmpty needs the score of an empty z");
            return score.meanNll - emptyZScore.meanNll;
    }
}
