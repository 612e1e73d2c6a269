import { z } from "zod";

/** What the refinement loop minimises. All are "lower is better". */
export const objectiveNames = ["clippedMeanNll", "meanNll", "sumNll", "meanNllGainOverEmpty"] as const;
export type ObjectiveName = (typeof objectiveNames)[number];

/** The search settings; defaults are the paper preset (method.md sections 3-5). */
export const searchConfigSchema = z.object({
    /** Rewrites asked for per segment. */
    candidates: z.number().int().min(1).max(64).default(2),
    /** Segments visited per pass, left to right. */
    maxSteps: z.number().int().min(0).default(10),
    /** Stop once the best clipped mean NLL is below this (and skip items already below it). */
    stopThreshold: z.number().default(0.25),
    /** Passes over the segments; the preset makes one. */
    passes: z.number().int().min(1).default(1),
    /** Stop after this many passes in a row without an accepted candidate. */
    patience: z.number().int().min(1).default(1),
    /** A candidate must beat the best by more than this (0: strict improvement, as the preset). */
    minImprovement: z.number().min(0).default(0),
    objective: z.enum(objectiveNames).default("clippedMeanNll"),
    /** Per-token log-probability floor of the clipped objective. */
    clipFloor: z.number().negative().default(-2),
    /** Reject a candidate that copies a run of at least this many characters of y verbatim. */
    maxVerbatimChars: z.number().int().min(10).default(120),
    /**
     * Take a last <refine> block that was never closed (text to the end of the turn), as the
     * reference does; false rejects it as "unclosed".
     */
    acceptUnclosedRewrite: z.boolean().default(true),
    /** Drop an item whose initial z has fewer tokens than this. */
    minThinkingTokens: z.number().int().min(0).default(100),
    /**
     * The longest z the search may produce, in tokens of the generator and of the scorer
     * alike; a rewrite that would make z longer is refused as "too-long". The contexts are
     * sized for it. Default: twice the new-token cap.
     */
    maxThinkingTokens: z.number().int().min(1).optional(),
    /**
     * Edit turns sampled under a grammar that ends them with exactly one closed <refine>
     * block (free analysis first), so models that do not follow the format still propose.
     * Absent (off) in the paper preset, which samples the turn freely as the reference does.
     */
    constrainRewrite: z.boolean().optional(),
    /**
     * Further drafts allowed when a draft cannot start a search (too short, one segment,
     * degenerate), each with the next seed, before the item is skipped. Absent (0) in the
     * paper preset, which skips the item at once.
     */
    redrafts: z.number().int().min(0).max(16).optional(),
    /**
     * A draft whose word 4-grams repeat earlier ones more than this share of the time is a
     * loop ("The answer is no." to the token cap), refused as degenerate; a rewrite that
     * does so is refused as "repetitive". Absent in the paper preset, which takes any draft
     * of two segments and enough tokens, and any rewrite.
     */
    maxDraftRepetition: z.number().gt(0).max(1).optional(),
    /**
     * Refuse a draft that copies a run of `maxVerbatimChars` of y, as candidates are: the
     * drafting prompt shows y, and a copied answer is no reasoning. Absent (off) in the paper
     * preset, which screens only the rewrites.
     */
    screenDraftCopies: z.boolean().optional(),
    /**
     * Who proposes rewrites of a segment: "rewrite", the generator's edit turn (the
     * reference); "resample", the segment sampled afresh as a continuation of the drafting
     * prompt after the segments before it, which needs no instruction following; "both",
     * `candidates` of each kind in one step. Absent: "rewrite".
     */
    proposer: z.enum(["rewrite", "resample", "both"]).optional(),
    /**
     * After the passes, one more pass that tries z without each segment in turn and keeps a
     * removal when y becomes more predictable without it: a scoring call each, no
     * generation, so a small model's rambling or looping paragraphs can leave z. Never
     * below two segments or `minThinkingTokens`. Absent (off) in the paper preset.
     */
    prune: z.boolean().optional(),
    /**
     * The drafting prompt (a template of the prompt folder), also the one resampled
     * paragraphs continue: "initial", the paper's list of what to think through; "plan", a
     * short request for the piece's content in order, in the writer's own words, which a
     * small model can follow. Absent: "initial".
     */
    draftPrompt: z.enum(["initial", "plan"]).optional(),
    /** Initial trajectories drafted per item; the search starts from the best-scoring one. */
    initialDrafts: z.number().int().min(1).max(64).default(1)
}).strict();

export type SearchConfig = z.infer<typeof searchConfigSchema>;
export const paperSearchConfig: SearchConfig = searchConfigSchema.parse({});
