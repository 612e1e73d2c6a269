import type { Token } from "node-llama-cpp";
import type { Generation, SamplingOptions } from "../generation/GenerationLane.js";

/** Sampling for every call of an item; the seed is chosen per call. */
export type CallSampling = Omit<SamplingOptions, "seed">;

/**
 * Generates the candidates of one step: one generation per seed, all from the same prompt.
 * No stop string ends an edit turn: the rewrite is taken from the whole turn (its last
 * <refine> block), so a model that mentions "</refine>" in its analysis is not cut there.
 * A resampled paragraph stops at its blank line.
 */
export interface CandidateProposer {
    propose(prompt: Token[], seeds: readonly number[]): Promise<Generation[]>;
}
