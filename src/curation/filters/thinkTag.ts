import type { TraceRecord } from "../../trace/traceRecordSchema.js";

/**
 * Missing or truncated </think>: the initial generation is asked to close its thinking,
 * and one that did not (it hit the token cap, or ended some other way) was cut off
 * mid-thought; the refinement only rewrites segments, so z keeps that open end. A z that
 * itself contains think markup would also break the `<think>z</think>` training format.
 */
export function thinkTagDetail(record: TraceRecord, z: string): string | undefined {
    const initial = record.initial;
    if (initial == null)
        return "no initial generation recorded, so whether it closed </think> is unknown";
    if (!initial.closed) {
        return initial.stop === "max-tokens"
            ? "the initial thinking was truncated at the token cap before </think>"
            : `the initial thinking ended without </think> (stop: ${initial.stop})`;
    }
    if (/<\/?think>/u.test(z))
        return "z contains <think> or </think> markup";
    return undefined;
}
