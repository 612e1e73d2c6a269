import { z } from "zod";

/** Reflection phrases whose presence near the end means the thinking had not settled (method.md section 6). */
export const defaultReflectionPhrases = {
    en: ["wait", "hmm", "let me", "maybe", "alternatively", "actually", "hold on", "on second thought"],
    zh: ["等等", "嗯", "让我", "也许", "或者", "不过", "等一下"]
};

/** Token bounds, inclusive; a missing side is unbounded. */
const boundsSchema = z.object({
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(0).optional()
}).strict().refine((bounds) => bounds.min == null || bounds.max == null || bounds.min <= bounds.max, "min must not exceed max");

/**
 * Every curation filter, each switchable. Defaults are conservative starting points: the
 * paper gives no thresholds, which is why `reer curate` prints the repetition ratio's
 * distribution to tune against. Nested objects may be given partly; the rest is filled in.
 */
export const curationConfigSchema = z.object({
    /** Drop z when a reflection phrase occurs in its last `tailFraction` (by characters). */
    endOfThinking: z.object({
        enabled: z.boolean().default(true),
        tailFraction: z.number().gt(0).max(1).default(0.1),
        phrases: z.object({
            en: z.array(z.string().min(1)).default(defaultReflectionPhrases.en),
            zh: z.array(z.string().min(1)).default(defaultReflectionPhrases.zh)
        }).strict().prefault({})
    }).strict().prefault({}),
    /** Drop z when the share of its n-grams that repeat an earlier one exceeds maxRatio. */
    repetition: z.object({
        enabled: z.boolean().default(true),
        /** Word n-gram size for spaced text. */
        n: z.number().int().min(1).default(4),
        /** Character n-gram size for CJK text. */
        cjkN: z.number().int().min(1).default(6),
        maxRatio: z.number().min(0).max(1).default(0.3)
    }).strict().prefault({}),
    /** Drop z when it copies y: a long verbatim run, or a large share of y's n-grams. */
    leakage: z.object({
        enabled: z.boolean().default(true),
        /** Longest run of characters (code points) z may share with y; matches the search's own candidate check. */
        maxOverlapChars: z.number().int().min(1).default(120),
        n: z.number().int().min(1).default(8),
        cjkN: z.number().int().min(1).default(12),
        /** Share of y's distinct n-grams that may appear in z. */
        maxNgramShare: z.number().min(0).max(1).default(0.5)
    }).strict().prefault({}),
    /** Token bounds on x, y and z (counted with --model's tokenizer, or estimated). */
    length: z.object({
        enabled: z.boolean().default(true),
        x: boundsSchema.prefault({}),
        y: boundsSchema.prefault({}),
        z: boundsSchema.prefault({})
    }).strict().prefault({}),
    /** Drop items whose search improved the clipped mean NLL by less than `min` (score0 - score). */
    improvement: z.object({
        enabled: z.boolean().default(true),
        min: z.number().default(0)
    }).strict().prefault({}),
    /**
     * Drop items whose z* does not beat no thinking by `min` (the no-thinking score minus
     * z*'s, in the search's measure; 0 keeps only strict wins). Off by default, as in the paper.
     */
    gainOverEmpty: z.object({
        enabled: z.boolean().default(false),
        min: z.number().min(0).default(0)
    }).strict().prefault({}),
    /** Drop items whose initial generation never closed </think>, or whose z contains think markup. */
    thinkTag: z.object({
        enabled: z.boolean().default(true)
    }).strict().prefault({}),
    /** Drop an item whose z equals (after trimming) the z of an earlier kept item. */
    duplicate: z.object({
        enabled: z.boolean().default(true)
    }).strict().prefault({}),
    /** Drop an item whose z is near an earlier kept item's: MinHash Jaccard of character shingles. */
    nearDuplicate: z.object({
        enabled: z.boolean().default(true),
        threshold: z.number().gt(0).max(1).default(0.8),
        shingleChars: z.number().int().min(1).default(5),
        hashes: z.number().int().min(1).default(128),
        bands: z.number().int().min(1).default(32)
    }).strict().refine((near) => near.hashes % near.bands === 0, { message: "hashes must be a multiple of bands", path: ["bands"] }).prefault({})
}).strict();

export type CurationConfig = z.infer<typeof curationConfigSchema>;

/** Filter names as they appear in reasons and in the summary, in the order they run. */
export const filterNames = ["end-of-thinking", "repetition", "leakage", "length", "improvement", "gain-over-empty", "think-tag", "duplicate", "near-duplicate"] as const;
export type FilterName = (typeof filterNames)[number];

export function defaultCurationConfig(): CurationConfig {
    return curationConfigSchema.parse({});
}

/** Whether a filter is switched on in a config. */
export function filterEnabled(config: CurationConfig, filter: FilterName): boolean {
    switch (filter) {
        case "end-of-thinking": return config.endOfThinking.enabled;
        case "repetition": return config.repetition.enabled;
        case "leakage": return config.leakage.enabled;
        case "length": return config.length.enabled;
        case "improvement": return config.improvement.enabled;
        case "gain-over-empty": return config.gainOverEmpty.enabled;
        case "think-tag": return config.thinkTag.enabled;
        case "duplicate": return config.duplicate.enabled;
        case "near-duplicate": return config.nearDuplicate.enabled;
    }
}
