import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { PaperScoringLayout } from "../../src/scoring/PaperScoringLayout.js";
import { ScoringContext } from "../../src/scoring/ScoringContext.js";
import { gguf } from "../../scripts/gguf/GgufWriter.js";
import { copyGguf } from "../support/copyGguf.js";
import { requireAsset, stories260kPath } from "../support/sharedAssets.js";

// A ChatML template, as Qwen-style instruct models carry it.
const chatml = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const title = "The Mouse";
const first = "A mouse lived in a hole under the old oak tree, and every morning she swept the floor of her home with a leaf.";
const second = "One day the wind blew all the leaves away, so she swept with her tail instead, and laughed at herself.";
const y = `${title}\n\n${first}\n\n${second}`;
const x = "Write a tiny story about a tidy mouse.";

let model: LoadedModel;
let layout: PaperScoringLayout;

beforeAll(async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "reer-chat-")), "stories260K-chatml.gguf");
    await copyGguf(requireAsset(stories260kPath), file, { metadata: { "tokenizer.chat_template": gguf.str(chatml) } });
    model = await LoadedModel.load(file, { gpu: "off" });
    layout = new PaperScoringLayout(model);
});

afterAll(async () => {
    await model?.dispose();
});

const text = (tokens: readonly number[]) => model.model.detokenize(tokens as never, false);

describe("paper scoring layout", () => {
    it("splits y into an unscored head (title + first paragraph) and a scored tail", () => {
        const frame = layout.frame(x, y);
        expect(frame.yHead).toBe(`${title}\n\n${first}`);
        expect(frame.yTail).toBe(`\n\n${second}`);
        expect(frame.yHead + frame.yTail).toBe(y);
        expect(text(frame.scoredTokens)).toBe(frame.yTail);
    });

    it("scores all of y when it is a single segment", () => {
        const frame = layout.frame(x, first);
        expect(frame.yHead).toBe("");
        expect(frame.yTail).toBe(first);
    });

    it("renders the chat template, the think block and the answer head, in that order", () => {
        const z = "Hmm, I want the mouse to be proud of her tidy home.\n\nThen the wind comes.";
        const tokens = layout.frame(x, y).tokensFor(z);
        expect(tokens.contextTokens[0]).toBe(1); // BOS, since the model asks for it
        const context = text(tokens.contextTokens.slice(1));
        expect(context).toMatch(/^<\|im_start\|>system\nYou are a helpful assistant\.<\|im_end\|>\n<\|im_start\|>user\n/);
        expect(context).toContain(`Here is the request:\n${x}<|im_end|>\n<|im_start|>assistant\n`);
        expect(context.endsWith(`<|im_start|>assistant\n<think>\n${z}\n</think>\n<answer>\n${title}\n\n${first}`)).toBe(true);
    });

    it("scores exactly the same tail tokens for every z, and only z's tokens change", () => {
        const frame = layout.frame(x, y);
        // The two trajectories share neither their first nor their last character.
        const a = frame.tokensFor("I will keep it short");
        const b = frame.tokensFor("Let me think about the wind and the leaves first, then the joke!");
        expect(b.scoredTokens).toEqual(a.scoredTokens);
        const commonStart = a.contextTokens.findIndex((token, i) => token !== b.contextTokens[i]);
        const suffixLength = a.contextTokens.length - a.contextTokens.findLastIndex((token, i) => token !== b.contextTokens[b.contextTokens.length - a.contextTokens.length + i]) - 1;
        expect(text(a.contextTokens.slice(commonStart, a.contextTokens.length - suffixLength))).toBe("I will keep it short");
        expect(text(a.contextTokens.slice(a.contextTokens.length - suffixLength))).toContain(`</think>\n<answer>\n${title}`);
    });

    it("uses the Chinese prompts when x contains CJK ideographs", () => {
        const tokens = layout.frame("写一个关于整洁小老鼠的小故事。", y).tokensFor("");
        expect(text(tokens.contextTokens)).toContain("请求如下：\n写一个关于整洁小老鼠的小故事。");
    });

    it("scores the layout on the model, reusing the whole context when the same z comes again", async () => {
        const scorer = await ScoringContext.create(model, { threads: 1, tokensNeeded: 1024 });
        try {
            const input = layout.frame(x, y).tokensFor("The wind will take the leaves, and she will laugh.");
            const scores = await scorer.scorers[0]!.score(input);
            const again = await scorer.scorers[0]!.score(input);
            expect(scores.tokenCount).toBe(input.scoredTokens.length);
            expect(again.reusedTokens).toBe(input.contextTokens.length - 1);
            expect(Array.from(again.tokenLogprobs)).toEqual(Array.from(scores.tokenLogprobs));
        } finally {
            await scorer.dispose();
        }
    });
});
