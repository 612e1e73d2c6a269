import type { SynthesisConfig } from "../config/synthesisConfig.js";
import type { LoadedModel } from "../model/LoadedModel.js";

export type CandidateMode = Exclude<SynthesisConfig["candidateMode"], "auto">;

/**
 * "auto" made concrete for this generator: batching candidates pays off only where a batch
 * of sequences costs less than the sequences one by one, which is on a GPU.
 */
export function resolveCandidateMode(mode: SynthesisConfig["candidateMode"], generator: LoadedModel): CandidateMode {
    if (mode !== "auto")
        return mode;
    return generator.runtime.llama.gpu !== false && generator.model.gpuLayers > 0 ? "concurrent" : "sequential";
}
