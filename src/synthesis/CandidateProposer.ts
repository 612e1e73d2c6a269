import type { Token } from "node-llama-cpp";
import type { Generation, SamplingOptions } from "../generation/GenerationLane.js";

/** Sampling for every call of an item; the seed is chosen per call. */
export type CallSampling = Omit<SamplingOptions, "seed" | "stopStrings">;

/**
 * Generates the candidates of one step: one whole generator turn per seed, all from the
 * same edit prompt. No stop string ends a turn: the rewrite is taken from the whole turn
 * (its last <refine> block), so a model that mentions "</refine>" in its analysis is not
 * cut there.
 */
export interface CandidateProposer {
    propose(prompt: Token[], seeds: readonly number[]): Promise<Generation[]>;
}
