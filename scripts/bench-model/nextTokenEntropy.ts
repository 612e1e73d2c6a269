import type { LlamaModel, Token } from "node-llama-cpp";

/** Above this mean entropy (nats) a model's next-token distributions count as flat (a random-weight model's). */
export const FLAT_ENTROPY_NATS = 8;

/**
 * Mean entropy (nats) of the model's next-token distributions after each of the last
 * `positions` tokens of `tokens`, from node-llama-cpp's exact probability maps.
 */
export async function nextTokenEntropy(model: LlamaModel, tokens: Token[], positions: number, threads: number): Promise<{ mean: number; min: number; max: number }> {
    const context = await model.createContext({ contextSize: Math.max(64, Math.ceil((tokens.length + 1) / 64) * 64), threads, flashAttention: false });
    try {
        const first = Math.max(0, tokens.length - positions);
        const results = await context.getSequence().controlledEvaluate(tokens.map((token, index) =>
            index >= first ? [token, { generateNext: { probabilities: true } }] as [Token, { generateNext: { probabilities: true } }] : token));
        const entropies = results.slice(first).map((result) => {
            let entropy = 0;
            for (const probability of result?.next?.probabilities?.values() ?? [])
                if (probability > 0) entropy -= probability * Math.log(probability);
            return entropy;
        });
        return { mean: entropies.reduce((a, b) => a + b, 0) / entropies.length, min: Math.min(...entropies), max: Math.max(...entropies) };
    } finally {
        await context.dispose();
    }
}

/** One line for a bench's output: which kind of model this is, by its measured entropy. */
export function describeEntropy(entropy: { mean: number; min: number; max: number }, vocabularySize: number): string {
    const kind = entropy.mean > FLAT_ENTROPY_NATS
        ? `flat (a random-weight model's; ln(vocabulary) = ${Math.log(vocabularySize).toFixed(1)})`
        : "peaked (a trained model's few nats)";
    return `next-token entropy ${entropy.mean.toFixed(2)} nats (${entropy.min.toFixed(2)}-${entropy.max.toFixed(2)}): ${kind}`;
}
