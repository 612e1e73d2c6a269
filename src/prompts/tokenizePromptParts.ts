import type { Token } from "node-llama-cpp";
import type { LoadedModel } from "../model/LoadedModel.js";
import type { PromptPart } from "./ChatTemplate.js";

/**
 * Tokenises rendered prompt parts one by one: markup with special tokens, message text
 * without (so text that looks like a special token stays text). BOS goes first when the
 * model wants one and the template did not already write it.
 */
export function tokenizePromptParts(model: LoadedModel, parts: PromptPart[], what: string): Token[] {
    const tokens: Token[] = [];
    const bosString = model.specialTokenTexts.bos;
    const first = parts[0];
    const templateHasBos = bosString != null && bosString !== "" && first?.kind === "markup" && first.text.startsWith(bosString);
    if (!templateHasBos)
        tokens.push(...model.leadingBos);
    for (const part of parts)
        tokens.push(...(part.kind === "markup"
            ? model.tokenizeMarkup(part.text, what)
            : model.tokenizeText(part.text, what, true)));
    return tokens;
}
