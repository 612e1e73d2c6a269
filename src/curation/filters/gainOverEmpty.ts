import { versusEmpty } from "../../trace/versusEmpty.js";
import type { DoneRecord } from "../../trace/traceRecordSchema.js";

/**
 * Gain over no thinking (REER-PT's and VR-CLI's criterion): thinking that does not make the
 * answer more predictable than no thinking at all teaches nothing, whatever it gained over
 * z0. Kept when the no-thinking score minus z*'s score (in the measure the search
 * minimised) is at least `min`; an item without a no-thinking score cannot show it.
 */
export function gainOverEmptyDetail(record: DoneRecord, min: number): string | undefined {
    const comparison = versusEmpty(record);
    if (comparison == null)
        return "no no-thinking score recorded (a trace from before reer recorded scoreEmpty)";
    // A win is strict: a margin of 0 still drops a tie.
    return comparison.beats && comparison.gain >= min ? undefined
        : `z* beats no thinking by ${comparison.gain.toFixed(4)}${min > 0 ? ` < min ${min}` : " (no gain)"}`;
}
