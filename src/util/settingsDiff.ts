/** The dotted paths whose values differ between two settings objects, e.g. ["sampling.maxTokens", "seed"]. */
export function settingsDiff(a: unknown, b: unknown, prefix = ""): string[] {
    const isObject = (value: unknown): value is Record<string, unknown> => value != null && typeof value === "object" && !Array.isArray(value);
    if (!isObject(a) || !isObject(b))
        return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix === "" ? "(all)" : prefix];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => settingsDiff(a[key], b[key], prefix === "" ? key : `${prefix}.${key}`));
}

