import { InvalidArgumentError } from "commander";
import { gpuChoices, type GpuChoice } from "../runtime/LlamaRuntime.js";
import type { KvCacheType } from "../scoring/ScoringContext.js";

/** Commander argument parsers that reject bad values with a message naming the allowed ones. */
export function positiveInteger(value: string): number {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0)
        throw new InvalidArgumentError("expected a positive integer.");
    return parsed;
}

export function negativeNumber(value: string): number {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed >= 0)
        throw new InvalidArgumentError("expected a negative number, such as -2.");
    return parsed;
}

export function gpuChoice(value: string): GpuChoice {
    if (!(gpuChoices as readonly string[]).includes(value))
        throw new InvalidArgumentError(`expected one of ${gpuChoices.join(", ")}.`);
    return value as GpuChoice;
}

export function gpuLayers(value: string): "auto" | "max" | number {
    if (value === "auto" || value === "max")
        return value;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
        throw new InvalidArgumentError("expected auto, max or a layer count.");
    return parsed;
}

const kvCacheTypes: readonly KvCacheType[] = ["F32", "F16", "Q8_0"];
export function kvCacheType(value: string): KvCacheType {
    const upper = value.toUpperCase();
    if (!(kvCacheTypes as readonly string[]).includes(upper))
        throw new InvalidArgumentError(`expected one of ${kvCacheTypes.join(", ")}.`);
    return upper as KvCacheType;
}

export function nonNegativeInteger(value: string): number {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
        throw new InvalidArgumentError("expected an integer >= 0.");
    return parsed;
}

export function nonNegativeNumber(value: string): number {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
        throw new InvalidArgumentError("expected a number >= 0.");
    return parsed;
}

export function probability(value: string): number {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 1)
        throw new InvalidArgumentError("expected a number in (0, 1].");
    return parsed;
}

export function positiveIntegerOrAuto(value: string): number | "auto" {
    return value === "auto" ? "auto" : positiveInteger(value);
}

export function atLeastOne(value: string): number {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 1)
        throw new InvalidArgumentError("expected a number >= 1.");
    return parsed;
}
