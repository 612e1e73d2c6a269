import type { Token } from "node-llama-cpp";
import type { ScoringTokens } from "./ScoringTokens.js";

export type ScoringTemplateName = "paper" | "none";

/** One (x, y) pair made ready for scoring many trajectories z against it. */
export interface ScoringFrame {
    /** The part of y left in the context unscored (empty when all of y is scored). */
    readonly yHead: string;
    /** The scored part of y; yHead + yTail === y. */
    readonly yTail: string;
    /** Tokens of yTail: tokenised once, identical for every z. */
    readonly scoredTokens: readonly Token[];
    /** Ids of the prompt templates used, for the output record. */
    readonly templateIds: readonly string[];
    /** Exact token sequence for trajectory z. */
    tokensFor(z: string): ScoringTokens;
}

export interface ScoringLayout {
    readonly name: ScoringTemplateName;
    frame(x: string, y: string): ScoringFrame;
}
