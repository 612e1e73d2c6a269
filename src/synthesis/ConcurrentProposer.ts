import type { Token } from "node-llama-cpp";
import type { Generation, GenerationLane } from "../generation/GenerationLane.js";
import type { CallSampling, CandidateProposer } from "./CandidateProposer.js";
import type { ItemMeter } from "./ItemMeter.js";

/**
 * Candidates on parallel lanes whose decoding node-llama-cpp batches together: one lane
 * evaluates the changed part of the edit prompt and the others get a copy of its KV cache.
 * Candidate k runs on lane k modulo the lanes. The fastest mode on a GPU.
 */
export class ConcurrentProposer implements CandidateProposer {
    public constructor(private readonly lanes: readonly GenerationLane[], private readonly sampling: CallSampling, private readonly meter: ItemMeter) {}

    public async propose(prompt: Token[], seeds: readonly number[]): Promise<Generation[]> {
        return await this.meter.timeGeneration("proposing", async () => {
            const used = this.lanes.slice(0, Math.min(seeds.length, this.lanes.length));
            this.meter.countSharedPrompt(await used[0]!.sharePromptWith(used.slice(1), prompt));
            // Settled, not Promise.all: when one lane stops (a stop signal, an error), the others are
            // still decoding; they end too, and only then may the caller dispose of the context.
            const settled = await Promise.allSettled(seeds.map(async (seed, k) => {
                const generation = await this.lanes[k % this.lanes.length]!.generate(prompt, { ...this.sampling, seed });
                this.meter.countGeneration("proposing", prompt, generation);
                return generation;
            }));
            const failed = settled.find((result) => result.status === "rejected");
            if (failed != null)
                throw failed.reason;
            return settled.map((result) => (result as PromiseFulfilledResult<Generation>).value);
        });
    }
}
