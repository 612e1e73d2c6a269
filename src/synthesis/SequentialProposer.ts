import type { Token } from "node-llama-cpp";
import type { Generation, GenerationLane } from "../generation/GenerationLane.js";
import type { CallSampling, CandidateProposer } from "./CandidateProposer.js";
import type { ItemMeter } from "./ItemMeter.js";

/**
 * Candidates one after another on one lane: the first evaluates the changed part of the
 * edit prompt, every later one reuses it from the lane's KV cache. The fastest mode where
 * a batch of n sequences costs n times one (a CPU).
 */
export class SequentialProposer implements CandidateProposer {
    public constructor(private readonly lane: GenerationLane, private readonly sampling: CallSampling, private readonly meter: ItemMeter) {}

    public async propose(prompt: Token[], seeds: readonly number[]): Promise<Generation[]> {
        return await this.meter.timeGeneration("proposing", async () => {
            const generations: Generation[] = [];
            for (const seed of seeds) {
                const generation = await this.lane.generate(prompt, { ...this.sampling, seed });
                this.meter.countGeneration("proposing", prompt, generation);
                generations.push(generation);
            }
            return generations;
        });
    }
}
