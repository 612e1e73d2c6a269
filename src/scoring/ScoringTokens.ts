import type { Token } from "node-llama-cpp";

/**
 * Exactly what the scorer feeds the model: `contextTokens` first, then
 * `scoredTokens`, whose log-probabilities are returned. Nothing follows.
 */
export type ScoringTokens = {
    contextTokens: Token[];
    scoredTokens: Token[];
};
