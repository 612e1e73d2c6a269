/** What deciding the number of items in flight needs to know. */
export type InFlightInput = {
    /** --parallel as given: a number, or "auto". */
    requested: number | "auto";
    pending: number;
    /** Whether the generator runs on a GPU (on a CPU a batch of n sequences costs about n times one). */
    onGpu: boolean;
    /** Free GPU memory after the models were loaded, in bytes. */
    freeGpuBytes: number;
    /** KV cache bytes one item in flight needs: its generation lanes and its scoring sequence at full size. */
    bytesPerItem: number;
};

/** The most items kept in flight: past this a GPU batch is full on the models reer is meant for. */
export const MAX_ITEMS_IN_FLIGHT = 32;

/** Share of free GPU memory given to KV caches; the rest is headroom for compute buffers and fragmentation. */
export const GPU_MEMORY_SHARE = 0.8;

/**
 * Items in flight: the number asked for; with "auto", one on a CPU (batching buys nothing
 * there) and on a GPU as many as the free memory holds, up to MAX_ITEMS_IN_FLIGHT, since
 * the items' decode steps share batches and a GPU is only busy with many sequences at once.
 * Never more than the pending items. The reason is printed with the run's settings.
 */
export function chooseItemsInFlight(input: InFlightInput): { parallel: number; reason: string } {
    const cap = (n: number) => Math.max(1, Math.min(n, input.pending));
    if (input.requested !== "auto")
        return { parallel: cap(input.requested), reason: "--parallel" };
    if (!input.onGpu)
        return { parallel: 1, reason: "auto: one item on a CPU" };
    const fit = Math.floor((input.freeGpuBytes * GPU_MEMORY_SHARE) / Math.max(1, input.bytesPerItem));
    const parallel = cap(Math.min(MAX_ITEMS_IN_FLIGHT, Math.max(1, fit)));
    const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);
    return { parallel, reason: `auto: ${gib(input.freeGpuBytes)} GiB free on the GPU, ${gib(input.bytesPerItem)} GiB of KV cache per item` };
}
