import type { ItemProgress } from "./ItemSearch.js";
import type { SynthesisItem } from "./SynthesisItem.js";

/** What an item in flight is doing, sent every few seconds while it runs. */
export type Heartbeat = {
    progress: ItemProgress;
    /** Tokens generated since the item's current phase (drafting, or a step) began. */
    tokens: number;
    /** Seconds since that phase began. */
    seconds: number;
    /** Tokens per second since the previous heartbeat (or the phase's start): 0 while a prompt is evaluated or the machine stalls. */
    tokensPerSecond: number;
};

type Activity = { progress: ItemProgress; phaseStarted: number; tokens: number; lastTokens: number; lastBeat: number };

/**
 * Heartbeats of the items in flight: a timer, not the token loop, sends them, so an item
 * whose generation has stalled (a busy machine, a long prompt) still reports, with a rate
 * of 0, and a stalled run can be told from a slow one. The generation loop only counts
 * tokens (`token`); `phase` marks where an item is in its search.
 */
export class ItemHeartbeats {
    private readonly items = new Map<SynthesisItem, Activity>();
    private readonly timer: NodeJS.Timeout | undefined;

    public constructor(private readonly intervalMs: number, private readonly onBeat: (beat: Heartbeat) => void) {
        if (intervalMs > 0) {
            this.timer = setInterval(() => this.beat(), intervalMs);
            // Never the reason the process stays alive.
            this.timer.unref();
        }
    }

    public phase(progress: ItemProgress): void {
        const now = performance.now();
        this.items.set(progress.item, { progress, phaseStarted: now, tokens: 0, lastTokens: 0, lastBeat: now });
    }

    public token(item: SynthesisItem): void {
        const activity = this.items.get(item);
        if (activity != null)
            activity.tokens++;
    }

    public finished(item: SynthesisItem): void {
        this.items.delete(item);
    }

    public stop(): void {
        if (this.timer != null)
            clearInterval(this.timer);
        this.items.clear();
    }

    private beat(): void {
        const now = performance.now();
        for (const activity of this.items.values()) {
            // A phase that began since the last beat has nothing to say yet ("0 token(s) in 0 s").
            if (now - activity.phaseStarted < this.intervalMs / 2)
                continue;
            const interval = Math.max(0.001, (now - activity.lastBeat) / 1000);
            this.onBeat({
                progress: activity.progress,
                tokens: activity.tokens,
                seconds: (now - activity.phaseStarted) / 1000,
                tokensPerSecond: (activity.tokens - activity.lastTokens) / interval
            });
            activity.lastTokens = activity.tokens;
            activity.lastBeat = now;
        }
    }
}
