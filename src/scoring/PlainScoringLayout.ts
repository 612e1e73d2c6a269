import type { LoadedModel } from "../model/LoadedModel.js";
import { splitHeadTail } from "../text/segmentText.js";
import type { ScoringFrame, ScoringLayout } from "./ScoringLayout.js";
import type { ScoringTokens } from "./ScoringTokens.js";

export type PlainLayoutOptions = {
    /** Leave y's first segment unscored, as the paper preset does (default: score all of y). */
    splitHead?: boolean;
};

/**
 * For models without a chat template: the context text
 *
 *     {x}\n\n{z}\n\n        (or {x}\n\n when z is empty)
 *
 * tokenised as one string after the model's BOS, then y tokenised on its own.
 */
export class PlainScoringLayout implements ScoringLayout {
    public readonly name = "none" as const;

    public constructor(private readonly model: LoadedModel, private readonly options: PlainLayoutOptions = {}) {}

    public frame(x: string, y: string): ScoringFrame {
        const { head, tail } = this.options.splitHead === true ? splitHeadTail(y) : { head: "", tail: y };
        const model = this.model;
        model.guard.assertEncodable(x, "the prompt");
        const scoredTokens = model.tokenizeText(tail, "the response", true);
        const headTokens = model.tokenizeText(head, "the response head", true);
        return {
            yHead: head,
            yTail: tail,
            scoredTokens,
            // Plain text uses no prompt file; the trace names the layout in scorerTemplate.
            templateIds: [],
            tokensFor(z: string): ScoringTokens {
                const contextText = z === "" ? `${x}\n\n` : `${x}\n\n${z}\n\n`;
                return {
                    contextTokens: [...model.leadingBos, ...model.tokenizeText(contextText, "the context", false), ...headTokens],
                    scoredTokens: [...scoredTokens]
                };
            }
        };
    }
}
