import { LlamaGrammar, LlamaGrammarEvaluationState, type Llama, type LlamaModel } from "node-llama-cpp";

/**
 * A GBNF grammar compiled for one model. Every generation that uses it gets a fresh
 * evaluation state, so one call's progress through the grammar never leaks into another.
 */
export class GenerationGrammar {
    private readonly grammar: LlamaGrammar;

    public constructor(llama: Llama, private readonly model: LlamaModel, public readonly source: string) {
        this.grammar = new LlamaGrammar(llama, { grammar: source });
    }

    /** A new evaluation state at the grammar's start, for one generation. */
    public newState(): LlamaGrammarEvaluationState {
        return new LlamaGrammarEvaluationState({ model: this.model, grammar: this.grammar });
    }
}
