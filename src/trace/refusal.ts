import { z } from "zod";

/**
 * Why a draft or an item was refused, as data: `code` says which kind, the other fields
 * hold what was measured (numbers as numbers) and the settings it was held against.
 * describeRefusal turns one into the sentence written beside it as `reason`.
 */

/** One thing wrong with a draft of the initial trajectory. */
export const draftProblemSchema = z.discriminatedUnion("code", [
    /** Fewer scorer tokens than --min-thinking-tokens. */
    z.object({ code: z.literal("too-short"), tokens: z.number().int(), min: z.number().int() }),
    z.object({ code: z.literal("single-segment") }),
    /** More tokens, in the longer of both vocabularies, than --max-thinking-tokens. */
    z.object({ code: z.literal("too-long"), tokens: z.number().int(), max: z.number().int() }),
    /** A run of `chars` characters shared with the response, at least --max-verbatim-chars. */
    z.object({ code: z.literal("copies-response"), chars: z.number().int(), max: z.number().int() }),
    /** Share of its `kind` n-grams repeating earlier ones, above --max-draft-repetition (both 0 to 1). */
    z.object({ code: z.literal("degenerate"), ratio: z.number(), kind: z.enum(["word", "char"]), n: z.number().int(), max: z.number() })
]);

/** A draft that cannot start a search, or was used despite a loop: its problems, the first one leading. */
export const draftRefusalSchema = z.object({
    code: z.literal("draft"),
    problems: z.array(draftProblemSchema).min(1)
});

export const refusalSchema = z.discriminatedUnion("code", [
    /** The response is empty once the thinking before its last </think> is cut. */
    z.object({ code: z.literal("empty-response") }),
    /** The item's worst case does not fit a context's cap: which prompt, what it needs, and where the cap comes from. */
    z.object({
        code: z.literal("context-too-small"),
        role: z.enum(["generator", "scorer"]),
        prompt: z.enum(["edit", "initial", "scoring"]),
        needs: z.number().int(),
        cap: z.number().int(),
        /** The cap is --context-size, not the training context. */
        fromFlag: z.boolean()
    }),
    draftRefusalSchema,
    /** Every draft made (--initial-drafts, --redrafts) was refused, each for its own problems. */
    z.object({ code: z.literal("no-usable-draft"), drafts: z.array(draftRefusalSchema).min(2) }),
    /** A ReerError met while preparing the item, such as text its models cannot encode. */
    z.object({ code: z.literal("item-error"), errorCode: z.string(), message: z.string() })
]);

/** An error no refusal covers, which failed the item. */
export const failureSchema = z.object({ name: z.string(), message: z.string() });

export type Refusal = z.infer<typeof refusalSchema>;
export type RefusalCode = Refusal["code"];
export type DraftRefusal = z.infer<typeof draftRefusalSchema>;
export type DraftProblem = z.infer<typeof draftProblemSchema>;
export type ContextRefusal = Extract<Refusal, { code: "context-too-small" }>;
export type Failure = z.infer<typeof failureSchema>;
