import type { Token } from "node-llama-cpp";
import { ReerError } from "../errors/ReerError.js";
import type { LoadedModel } from "../model/LoadedModel.js";
import { ChatTemplate, type ChatMessage } from "../prompts/ChatTemplate.js";
import type { PromptLanguage, PromptSet } from "../prompts/PromptSet.js";
import { tokenizePromptParts } from "../prompts/tokenizePromptParts.js";
import { detectLanguage } from "../text/cjk.js";
import { seededRandom, weightedChoice } from "../util/seededRandom.js";

export type GeneratorTemplateMode = "chat" | "none";

/** A prompt ready to generate from: exact tokens, ending with the assistant pre-fill. */
export type GenerationPrompt = {
    tokens: Token[];
    /** Text already "said" by the assistant (the pre-fill), which the generation continues. */
    prefill: string;
    templateIds: string[];
};

/**
 * Builds the generator's prompts (method.md sections 3 and 5) from the prompt files, in
 * the generator's chat template ("chat") or as plain text for models without one ("none").
 */
export class GenerationPrompter {
    private readonly template: ChatTemplate | undefined;

    /**
     * @param draftPrompt the template that asks for the thinking (--draft-prompt): "initial",
     *   the paper's, or another of the prompt folder.
     */
    public constructor(private readonly model: LoadedModel, private readonly prompts: PromptSet, public readonly mode: GeneratorTemplateMode,
        private readonly draftPrompt = "initial") {
        if (mode === "chat") {
            const source = model.chatTemplate;
            if (source == null)
                throw new ReerError("NO_CHAT_TEMPLATE", `The generator ${model.identity.name} has no chat template.`,
                    "Use an instruct model as --generator, or --generator-template none for plain-text prompts (useful only for tests).");
            this.template = new ChatTemplate(source, model.specialTokenTexts);
        }
    }

    public language(x: string): PromptLanguage {
        return detectLanguage(x);
    }

    /** The opener that starts the thinking, drawn with the preset's weights from `seed`. */
    public drawOpener(language: PromptLanguage, seed: number): string {
        return weightedChoice(this.prompts.openers(language), seededRandom(seed)).text;
    }

    /** Every opener of the language: the longest one sizes the initial prompt's budget. */
    public openers(language: PromptLanguage): string[] {
        return this.prompts.openers(language).map((opener) => opener.text);
    }

    /** The drafting prompt: the assistant turn pre-filled with "<think>\n" and the opener. */
    public initial(x: string, y: string, opener: string): GenerationPrompt {
        return this.continuation(x, y, opener, []);
    }

    /**
     * The drafting prompt again, pre-filled with the thinking up to segment i: the opener for
     * the first segment, else the segments before it and a blank line. What the model writes
     * next, up to its next blank line, is a fresh sample of segment i.
     */
    public continuation(x: string, y: string, opener: string, before: readonly string[]): GenerationPrompt {
        const language = this.language(x);
        const user = this.prompts.render(language, this.draftPrompt, { prompt: x, response: y });
        const thinking = before.length === 0 ? opener : `${before.join("\n\n")}\n\n`;
        return {
            tokens: this.build(language, user, "<think>\n", thinking),
            prefill: `<think>\n${thinking}`,
            templateIds: [this.prompts.templateId(language, "system"), this.prompts.templateId(language, this.draftPrompt)]
        };
    }

    public edit(x: string, y: string, before: string[], current: string, after: string[]): GenerationPrompt {
        const language = this.language(x);
        const trajectory = [...before, `<current_paragraph>\n${current}\n</current_paragraph>`, ...after].join("\n\n");
        const user = this.prompts.render(language, "edit", { prompt: x, response: y, trajectory });
        const leadIn = this.prompts.raw(language, "edit-prefill") + "\n";
        return {
            tokens: this.build(language, user, leadIn, ""),
            prefill: leadIn,
            templateIds: [this.prompts.templateId(language, "system"), this.prompts.templateId(language, "edit"),
                this.prompts.templateId(language, "edit-prefill")]
        };
    }

    /** Markup pre-fill (may hold special tokens such as <think>) followed by plain pre-fill text. */
    private build(language: PromptLanguage, user: string, prefillMarkup: string, prefillText: string): Token[] {
        const system = this.prompts.raw(language, "system");
        let tokens: Token[];
        if (this.template != null) {
            const messages: ChatMessage[] = [{ role: "system", content: system }, { role: "user", content: user }];
            tokens = tokenizePromptParts(this.model, this.template.renderOpenAssistantTurn(messages), "the generator prompt");
        } else {
            tokens = [...this.model.leadingBos, ...this.model.tokenizeText(`${system}\n\n${user}\n\n`, "the generator prompt", false)];
        }
        tokens.push(...this.model.tokenizeMarkup(prefillMarkup, "the pre-fill"));
        if (prefillText !== "")
            tokens.push(...this.model.tokenizeText(prefillText, "the pre-fill", true));
        return tokens;
    }
}
