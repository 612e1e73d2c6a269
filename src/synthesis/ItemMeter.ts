import type { Token } from "node-llama-cpp";
import type { Generation, SharedPrompt } from "../generation/GenerationLane.js";
import type { TokenScores } from "../scoring/TokenScorer.js";

/** The work one item cost, as its record reports it. */
export type ItemWork = {
    tokens: { generated: number; promptEvaluated: number; promptReused: number; scoringEvaluated: number; scoringReused: number };
    timings: { totalMs: number; generationMs: number; promptEvalMs: number; scoringMs: number };
};

/** Counts the tokens and time of one item's generations and scoring calls. */
export class ItemMeter {
    private readonly started = performance.now();
    private readonly tokens = { generated: 0, promptEvaluated: 0, promptReused: 0, scoringEvaluated: 0, scoringReused: 0 };
    private readonly ms = { generation: 0, promptEval: 0, scoring: 0 };

    public countGeneration(prompt: readonly Token[], generation: Generation): void {
        this.tokens.generated += generation.tokens;
        this.tokens.promptEvaluated += prompt.length - generation.reusedPromptTokens;
        this.tokens.promptReused += generation.reusedPromptTokens;
        this.ms.promptEval += generation.promptMs;
    }

    public countSharedPrompt(shared: SharedPrompt): void {
        this.tokens.promptEvaluated += shared.evaluatedTokens;
        this.ms.promptEval += shared.ms;
    }

    /** Wall time of a generation phase (the candidates of a step may run concurrently). */
    public async timeGeneration<T>(phase: () => Promise<T>): Promise<T> {
        const t0 = performance.now();
        try {
            return await phase();
        } finally {
            this.ms.generation += performance.now() - t0;
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
            tokens: { ...this.tokens },
            timings: {
                totalMs: round(performance.now() - this.started),
                generationMs: round(this.ms.generation),
                promptEvalMs: round(this.ms.promptEval),
                scoringMs: round(this.ms.scoring)
            }
        };
    }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
