import { ChatTemplateMissingError } from "../errors/inputErrors.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { ChatTemplate } from "../prompts/ChatTemplate.js";
import { PromptSet, type PromptLanguage } from "../prompts/PromptSet.js";
import { tokenizePromptParts } from "../prompts/tokenizePromptParts.js";
import { detectLanguage } from "../text/cjk.js";
import { splitHeadTail } from "../text/segmentText.js";
import type { ScoringFrame, ScoringLayout } from "./ScoringLayout.js";
import type { ScoringTokens } from "./ScoringTokens.js";

/**
 * The paper preset (method.md section 2): the scorer's chat template with a system
 * message and a think-aloud instruction followed by x, then an assistant turn we fill:
 *
 *     <think>\n{z}\n</think>\n<answer>\n{yHead}{yTail}
 *
 * Only yTail is scored. Every part is tokenised on its own (markup with special tokens,
 * user text without), so the tokens after z are the same for every candidate z.
 */
export class PaperScoringLayout implements ScoringLayout {
    public readonly name = "paper" as const;
    private readonly template: ChatTemplate;

    public constructor(private readonly model: LoadedModel, private readonly prompts: PromptSet = new PromptSet()) {
        const source = model.chatTemplate;
        if (source == null)
            throw new ChatTemplateMissingError(model.identity.name);
        this.template = new ChatTemplate(source, model.specialTokenTexts);
    }

    public frame(x: string, y: string): ScoringFrame {
        const language: PromptLanguage = detectLanguage(x);
        const parts = this.template.renderOpenAssistantTurn([
            { role: "system", content: this.prompts.raw(language, "system") },
            { role: "user", content: this.prompts.render(language, "score", { prompt: x }) }
        ]);
        const prefix = tokenizePromptParts(this.model, parts, "the scoring prompt");
        prefix.push(...this.model.tokenizeMarkup("<think>\n", "the think tag"));

        const { head, tail } = splitHeadTail(y);
        const suffix = [
            ...this.model.tokenizeMarkup("\n</think>\n<answer>\n", "the answer tag"),
            ...this.model.tokenizeText(head, "the response head", true)
        ];
        const scoredTokens = this.model.tokenizeText(tail, "the response", true);
        const model = this.model;

        return {
            yHead: head,
            yTail: tail,
            scoredTokens,
            templateIds: [this.prompts.templateId(language, "system"), this.prompts.templateId(language, "score")],
            tokensFor(z: string): ScoringTokens {
                const zTokens = model.tokenizeText(z, "the thinking trajectory", true);
                return {
                    contextTokens: [...prefix, ...zTokens, ...suffix],
                    scoredTokens: [...scoredTokens]
                };
            }
        };
    }
}
