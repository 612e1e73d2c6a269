import type { Token } from "node-llama-cpp";
import type { Generation, SharedPrompt } from "../generation/GenerationLane.js";
import type { TokenScores } from "../scoring/TokenScorer.js";

/** The two kinds of generation an item does: initial drafts, and candidate rewrites of a segment. */
export type GenerationPhase = "drafting" | "proposing";

/** The work one item cost, as its record reports it. */
export type ItemWork = {
    tokens: {
        generated: number; generatedDrafting: number; generatedProposing: number;
        promptEvaluated: number; promptReused: number; scoringEvaluated: number; scoringReused: number;
    };
    timings: { totalMs: number; generationMs: number; draftingMs: number; proposingMs: number; promptEvalMs: number; scoringMs: number };
};

/** Counts the tokens and time of one item's generations and scoring calls, by phase. */
export class ItemMeter {
    private readonly started = performance.now();
    private readonly tokens = { generated: 0, promptEvaluated: 0, promptReused: 0, scoringEvaluated: 0, scoringReused: 0 };
    private readonly generated: Record<GenerationPhase, number> = { drafting: 0, proposing: 0 };
    private readonly phaseMs: Record<GenerationPhase, number> = { drafting: 0, proposing: 0 };
    private readonly ms = { promptEval: 0, scoring: 0 };

    public countGeneration(phase: GenerationPhase, prompt: readonly Token[], generation: Generation): void {
        this.tokens.generated += generation.tokens;
        this.generated[phase] += generation.tokens;
        this.tokens.promptEvaluated += prompt.length - generation.reusedPromptTokens;
        this.tokens.promptReused += generation.reusedPromptTokens;
        this.ms.promptEval += generation.promptMs;
    }

    public countSharedPrompt(shared: SharedPrompt): void {
        this.tokens.promptEvaluated += shared.evaluatedTokens;
        this.ms.promptEval += shared.ms;
    }

    /** Wall time of a generation phase (the candidates of a step may run concurrently). */
    public async timeGeneration<T>(phase: GenerationPhase, call: () => Promise<T>): Promise<T> {
        const t0 = performance.now();
        try {
            return await call();
        } finally {
            this.phaseMs[phase] += performance.now() - t0;
        }
    }

    public async timeScoring(call: () => Promise<TokenScores>): Promise<TokenScores> {
        const t0 = performance.now();
        try {
            const result = await call();
            this.tokens.scoringEvaluated += result.evaluatedTokens;
            this.tokens.scoringReused += result.reusedTokens;
            return result;
        } finally {
            this.ms.scoring += performance.now() - t0;
        }
    }

    public work(): ItemWork {
        return {
            tokens: { ...this.tokens, generatedDrafting: this.generated.drafting, generatedProposing: this.generated.proposing },
            timings: {
                totalMs: round(performance.now() - this.started),
                generationMs: round(this.phaseMs.drafting + this.phaseMs.proposing),
                draftingMs: round(this.phaseMs.drafting),
                proposingMs: round(this.phaseMs.proposing),
                promptEvalMs: round(this.ms.promptEval),
                scoringMs: round(this.ms.scoring)
            }
        };
    }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
