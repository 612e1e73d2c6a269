import { LoadedModel } from "./LoadedModel.js";
import { resolveModelPath } from "./resolveModelPath.js";
import { estimatedTokenCounter, tokenizerTokenCounter, type TokenCounter } from "./tokenCounter.js";

/**
 * The counter behind a `--model` flag: the model's tokenizer, loaded vocabulary-only on
 * the CPU (no weights, so even a large model loads in a moment), or the estimate when no
 * model is given. Call dispose when done.
 */
export async function loadTokenCounter(modelSpec: string | undefined): Promise<{ counter: TokenCounter; dispose: () => Promise<void> }> {
    if (modelSpec == null)
        return { counter: estimatedTokenCounter, dispose: async () => {} };
    const modelPath = await resolveModelPath(modelSpec);
    const loaded = await LoadedModel.load(modelPath, { vocabOnly: true, gpu: "off" });
    return { counter: tokenizerTokenCounter(loaded), dispose: () => loaded.dispose() };
}
