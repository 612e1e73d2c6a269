/**
 * The grammar of a constrained edit turn (`--constrain-rewrite`). The turn continues the
 * pre-fill, which ends inside "<analyze>": the model writes its analysis as free text, then
 * the grammar makes it close the analysis and write exactly one <refine> block, which it
 * closes when it chooses to. Small models that never close a block on their own (most
 * turns of SmolLM2-135M run to the token cap) then always give a usable rewrite.
 *
 * Both parts are bounded in characters so the whole turn fits in the call's token cap even
 * at two characters per token: analysis up to half the cap in characters, the rewrite up
 * to the cap. "<" is left out of both, so no tag can be opened or mentioned inside them.
 * The rewrite is one paragraph on one line, as the segment it replaces: a model that
 * starts a new line is led to close the block instead of running on into more paragraphs.
 */
export type RewriteGrammarLimits = {
    /** The call's cap on new tokens (--max-tokens). */
    maxNewTokens: number;
};

/** Longest analysis and rewrite, in characters, whatever the token cap: a paragraph's worth each. */
const MAX_ANALYSIS_CHARS = 1200;
const MAX_REWRITE_CHARS = 4000;

export function rewriteGrammarLimits(limits: RewriteGrammarLimits): { analysisChars: number; rewriteChars: number } {
    const analysisChars = Math.min(MAX_ANALYSIS_CHARS, Math.floor(limits.maxNewTokens / 2));
    const rewriteChars = Math.max(2, Math.min(MAX_REWRITE_CHARS, limits.maxNewTokens));
    return { analysisChars, rewriteChars };
}

/** GBNF for llama.cpp's grammar sampler. */
export function rewriteGrammarSource(limits: RewriteGrammarLimits): string {
    const { analysisChars, rewriteChars } = rewriteGrammarLimits(limits);
    return [
        `root ::= analysis "</analyze>\\n<refine>\\n" rewrite "\\n</refine>"`,
        `analysis ::= [^<]{0,${analysisChars}}`,
        // The rewrite starts with a visible character, so it is never empty after trimming.
        `rewrite ::= [^<\\n\\t ] [^<\\n]{0,${rewriteChars - 1}}`
    ].join("\n") + "\n";
}
