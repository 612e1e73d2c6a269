import { Template } from "@huggingface/jinja";
import { ReerError } from "../errors/ReerError.js";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

/** A piece of a rendered prompt: template markup (special tokens allowed) or message text (always literal). */
export type PromptPart = { kind: "markup" | "text"; text: string };

const slot = (index: number): string => `\u0000reer-slot-${index}\u0000`;

/**
 * Renders a model's own Jinja chat template while keeping message contents apart from
 * the markup around them, so they can be tokenised with special-token parsing off.
 * The assistant turn is left open after the generation prompt: reer fills it in.
 */
export class ChatTemplate {
    private readonly template: Template;

    public constructor(source: string, private readonly specialStrings: { bos?: string | null; eos?: string | null }) {
        try {
            this.template = new Template(source);
        } catch (error) {
            throw new ReerError("BAD_CHAT_TEMPLATE", `The model's chat template does not parse: ${error instanceof Error ? error.message : String(error)}`,
                "Use --template none, or a GGUF with a working tokenizer.chat_template.");
        }
    }

    /** Parts of the prompt up to and including the start of a new assistant turn. */
    public renderOpenAssistantTurn(messages: ChatMessage[]): PromptPart[] {
        const rendered = this.render(messages.map((message, index) => ({ role: message.role, content: slot(index) })), true);
        const parts: PromptPart[] = [];
        let rest = rendered;
        messages.forEach((message, index) => {
            const marker = slot(index);
            const at = rest.indexOf(marker);
            if (at < 0 || rest.indexOf(marker, at + marker.length) >= 0)
                throw new ReerError("BAD_CHAT_TEMPLATE", `The chat template does not render the ${message.role} message exactly once, unchanged.`,
                    "reer needs a template that inserts message contents verbatim; use --template none instead.");
            parts.push({ kind: "markup", text: rest.slice(0, at) }, { kind: "text", text: message.content });
            rest = rest.slice(at + marker.length);
        });
        parts.push({ kind: "markup", text: rest });
        return parts.filter((part) => part.text !== "");
    }

    private render(messages: { role: string; content: string }[], addGenerationPrompt: boolean): string {
        try {
            return this.template.render({
                messages,
                add_generation_prompt: addGenerationPrompt,
                bos_token: this.specialStrings.bos ?? "",
                eos_token: this.specialStrings.eos ?? ""
            });
        } catch (error) {
            throw new ReerError("BAD_CHAT_TEMPLATE", `Rendering the model's chat template failed: ${error instanceof Error ? error.message : String(error)}`,
                "Use --template none, or a model whose chat template accepts system, user and assistant messages.");
        }
    }
}
