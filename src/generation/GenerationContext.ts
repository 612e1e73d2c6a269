import type { LlamaContext } from "node-llama-cpp";
import type { LoadedModel } from "../model/LoadedModel.js";
import { ResourcePool } from "../util/ResourcePool.js";
import { GenerationLane } from "./GenerationLane.js";

export type GenerationContextOptions = {
    threads: number;
    contextSize: number;
    /** Independent groups of lanes: one per item in flight. */
    groups: number;
    /** Lanes (sequences) per group: one per candidate generated at once. */
    lanesPerGroup: number;
    batchSize?: number;
    flashAttention?: boolean;
};

/**
 * A generation context split into groups of lanes. An item in flight leases one group for
 * its whole life, so its candidates always run on the same lanes and reuse their own KV
 * caches between steps; concurrent lanes are batched together by node-llama-cpp.
 */
export class GenerationContext {
    private readonly groups: ResourcePool<GenerationLane[]>;

    private constructor(public readonly context: LlamaContext, groups: GenerationLane[][]) {
        this.groups = new ResourcePool(groups);
    }

    public static async create(model: LoadedModel, options: GenerationContextOptions): Promise<GenerationContext> {
        const context = await model.createContext({
            contextSize: options.contextSize,
            sequences: options.groups * options.lanesPerGroup,
            threads: options.threads,
            batchSize: options.batchSize ?? Math.min(512, options.contextSize),
            flashAttention: options.flashAttention ?? false
        });
        const groups = Array.from({ length: options.groups }, () =>
            Array.from({ length: options.lanesPerGroup }, () => new GenerationLane(model, context.getSequence())));
        return new GenerationContext(context, groups);
    }

    public get contextSize(): number {
        return this.context.contextSize;
    }

    public get batchSize(): number {
        return this.context.batchSize;
    }

    /**
     * Leases a group of lanes, cleared first: an item's results then never depend on what
     * ran on the lanes before it (a resumed run reproduces an uninterrupted one).
     */
    public async withGroup<T>(use: (lanes: GenerationLane[]) => Promise<T>): Promise<T> {
        return await this.groups.with(async (lanes) => {
            for (const lane of lanes)
                await lane.reset();
            return await use(lanes);
        });
    }

    public async dispose(): Promise<void> {
        await this.context.dispose();
    }
}
