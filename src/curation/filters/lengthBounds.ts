import type { TraceRecord } from "../../trace/traceRecordSchema.js";
import type { TokenCounter } from "../../model/tokenCounter.js";

export type TokenBounds = { min?: number | undefined; max?: number | undefined };
export type LengthBounds = { x: TokenBounds; y: TokenBounds; z: TokenBounds };

/**
 * Length bounds on x, y and z in tokens, inclusive. Texts are only counted for the fields
 * that have a bound, since a model tokenizer pass over every z is the costly part.
 */
export function lengthDetail(record: TraceRecord, z: string, bounds: LengthBounds, counter: TokenCounter): string | undefined {
    const texts = { x: record.x, y: record.y, z };
    const problems: string[] = [];
    for (const field of ["x", "y", "z"] as const) {
        const { min, max } = bounds[field];
        if (min == null && max == null)
            continue;
        const tokens = counter.count(texts[field]);
        if (min != null && tokens < min)
            problems.push(`${field} has ${tokens} tokens < min ${min}`);
        if (max != null && tokens > max)
            problems.push(`${field} has ${tokens} tokens > max ${max}`);
    }
    return problems.length === 0 ? undefined : problems.join("; ");
}
