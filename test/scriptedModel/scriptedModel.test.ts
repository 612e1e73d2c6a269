import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GenerationPrompter, type GeneratorTemplateMode } from "../../src/generation/GenerationPrompter.js";
import { GenerationContext } from "../../src/generation/GenerationContext.js";
import type { SamplingOptions } from "../../src/generation/GenerationLane.js";
import { LoadedModel } from "../../src/model/LoadedModel.js";
import { builtinPromptsDir, PromptSet } from "../../src/prompts/PromptSet.js";
import { writeScriptedModel } from "../../scripts/scripted-model/writeScriptedModel.js";
import { scriptedModel, scriptPrefix, type ScriptedModelSpec } from "../support/scriptedModel.js";

const initialScript =
    " wants a bedtime story about a lighthouse keeper, short enough to read aloud in five minutes.\n\n" +
    "I'll open with the keeper alone on the rock, the lamp already lit, so the listener is inside the scene from the first line.\n\n" +
    "Hmm, the middle needs a small problem: a ship in fog and a flickering lamp. Wait, the keeper should solve it with patience, not luck.\n\n" +
    "The ending should be calm: the ship safe, the keeper asleep at dawn.";

// Mentions the tags before the real block, as instruct models often do.
const editScript =
    "<analyze>\nThis paragraph sets the scene but never mentions the fog. The rewrite goes between <refine> and </refine>.\n</analyze>\n" +
    "<refine>\nI'll open with the keeper alone on the rock. Hmm, the fog should already be rolling in, so the trouble starts on the first page.\n</refine>";

const x = "Write a short bedtime story about a lighthouse keeper.";
const y = "Old Tom lit the lamp every night. One foggy evening a small boat lost its way, and Tom kept the light burning until dawn.";

const greedy = (maxTokens = 400): SamplingOptions => ({ temperature: 0, topP: 1, topK: 0, seed: 0, maxTokens });
const paperSampler = (seed: number, maxTokens = 400): SamplingOptions => ({ temperature: 0.8, topP: 0.85, topK: 0, seed, maxTokens });

const openers = (language: string): string[] =>
    (JSON.parse(readFileSync(path.join(builtinPromptsDir, language, "openers.json"), "utf8")) as { text: string }[]).map((opener) => opener.text);

/** A loaded scripted model with one generation lane and the prompter for `mode`. */
async function open(spec: ScriptedModelSpec, mode: GeneratorTemplateMode = "none") {
    const written = scriptedModel(spec);
    const model = await LoadedModel.load(written.file, { gpu: "off" });
    const generator = await GenerationContext.create(model, { threads: 1, contextSize: 4096, groups: 1, lanesPerGroup: 1 });
    const prompter = new GenerationPrompter(model, new PromptSet(), mode);
    return {
        written, model, generator, prompter,
        async dispose() {
            await generator.dispose();
            await model.dispose();
        }
    };
}
type Opened = Awaited<ReturnType<typeof open>>;

describe("scripted model, plain prompts (--generator-template none)", () => {
    let m: Opened;
    beforeAll(async () => { m = await open({ initial: initialScript, edit: editScript }); });
    afterAll(async () => { await m?.dispose(); });

    const editPrompt = () => {
        const paragraphs = initialScript.trim().split("\n\n");
        return m.prompter.edit(x, y, paragraphs.slice(0, 1), paragraphs[1]!, paragraphs.slice(2));
    };

    it("says the initial script after every opener's initial-draft prompt (greedy)", async () => {
        for (const opener of openers("en")) {
            const prompt = m.prompter.initial(x, y, opener);
            const generation = await m.generator.withGroup(async ([lane]) => await lane!.generate(prompt.tokens, greedy()));
            expect(generation.text).toBe(initialScript);
            expect(generation.stop).toBe("eog");
            expect(generation.tokens).toBe(m.written.initial.pieces.length);
        }
    });

    it("says the edit script after the edit prompt, whose trajectory quotes the initial script", async () => {
        const generation = await m.generator.withGroup(async ([lane]) => await lane!.generate(editPrompt().tokens, greedy()));
        expect(generation.text).toBe(editScript);
        expect(generation.stop).toBe("eog");
    });

    it("follows both scripts under the paper's sampler (temperature 0.8, top-p 0.85, top-k 0) for every seed", async () => {
        const initial = m.prompter.initial(x, y, "Alright, the user");
        for (const seed of [1, 2, 3, 17, 123456]) {
            await m.generator.withGroup(async ([lane]) => {
                expect((await lane!.generate(initial.tokens, paperSampler(seed))).text).toBe(initialScript);
                expect((await lane!.generate(editPrompt().tokens, paperSampler(seed))).text).toBe(editScript);
            });
        }
    });

    it("starts the script from its beginning on every turn of a lane that keeps its KV cache", async () => {
        const prompt = editPrompt().tokens;
        const [first, second] = await m.generator.withGroup(async ([lane]) =>
            [await lane!.generate(prompt, paperSampler(5)), await lane!.generate(prompt, paperSampler(6))]);
        expect(second!.reusedPromptTokens).toBe(prompt.length - 1);
        expect(first!.text).toBe(editScript);
        expect(second!.text).toBe(editScript);
    });

    it("no prompt text tokenises into a script piece: one token per character", () => {
        const pieceIds = new Set(m.written.scripts.flatMap((script) => script.tokenIds));
        const prompts = [m.prompter.initial(x, y, "Alright, the user").tokens, editPrompt().tokens];
        for (const tokens of prompts)
            expect(tokens.filter((token) => pieceIds.has(token))).toEqual([]);
        // The script's own text, even with the pieces' boundaries, stays one character per token.
        const text = m.written.initial.pieceTexts.slice(0, 4).join("");
        expect(m.model.model.tokenize(text, false)).toHaveLength(Array.from(text).length);
    });

    it("maxTokens cuts the script to its first pieces", async () => {
        const prompt = m.prompter.initial(x, y, "Alright");
        const generation = await m.generator.withGroup(async ([lane]) => await lane!.generate(prompt.tokens, paperSampler(9, 5)));
        expect(generation.stop).toBe("max-tokens");
        expect(generation.tokens).toBe(5);
        expect(generation.text).toBe(scriptPrefix(m.written.initial, 5));
        expect(initialScript.startsWith(generation.text)).toBe(true);
        expect(generation.text.length).toBeGreaterThan(20);
    });
});

describe("scripted model, Chinese", () => {
    const initialZh = "用户想要一个关于灯塔看守人的睡前故事，要短，能在五分钟内读完。\n\n我想先写看守人独自在礁石上，灯已经点亮了。嗯，中间需要一个小麻烦：雾里的一条船。";
    const editZh = "<analyze>\n这一段只写了场景，没有提到雾。\n</analyze>\n<refine>\n我想先写看守人独自在礁石上。等等，雾应该一开始就来了。\n</refine>";
    let m: Opened;
    beforeAll(async () => { m = await open({ initial: initialZh, edit: editZh }); });
    afterAll(async () => { await m?.dispose(); });

    it("says Chinese scripts after Chinese prompts (byte-fallback last tokens) exactly", async () => {
        const xZh = "写一个关于灯塔看守人的睡前故事。";
        const yZh = "老汤姆每天晚上都点亮灯塔。";
        for (const opener of openers("zh")) {
            const prompt = m.prompter.initial(xZh, yZh, opener);
            const generation = await m.generator.withGroup(async ([lane]) => await lane!.generate(prompt.tokens, paperSampler(4)));
            expect(generation.text).toBe(initialZh);
        }
        const [before, current] = initialZh.split("\n\n");
        const edit = m.prompter.edit(xZh, yZh, [before!], current!, []);
        const generation = await m.generator.withGroup(async ([lane]) => await lane!.generate(edit.tokens, greedy()));
        expect(generation.text).toBe(editZh);
    });
});

describe("scripted model, chat template", () => {
    let m: Opened;
    beforeAll(async () => { m = await open({ initial: initialScript, edit: editScript, chat: true }, "chat"); });
    afterAll(async () => { await m?.dispose(); });

    it("renders its ChatML template and says the scripts after chat prompts", async () => {
        const initial = m.prompter.initial(x, y, "Okay, I am given");
        expect(m.model.model.detokenize(initial.tokens, true)).toContain("<|im_start|>assistant\n<think>\nOkay, I am given");
        const paragraphs = initialScript.trim().split("\n\n");
        const edit = m.prompter.edit(x, y, [], paragraphs[0]!, paragraphs.slice(1));
        await m.generator.withGroup(async ([lane]) => {
            expect((await lane!.generate(initial.tokens, paperSampler(8))).text).toBe(initialScript);
            expect((await lane!.generate(edit.tokens, paperSampler(8))).text).toBe(editScript);
        });
    });
});

describe("scripted model, scripts chosen by trigger characters", () => {
    // The shapes edit turns take in practice.
    const shapes = {
        twoBlocks: "<refine>\nFirst rewrite.\n</refine>\nOr perhaps:\n<refine>\nSecond rewrite.\n</refine>",
        unclosed: "<analyze>\nToo vague.\n</analyze>\n<refine>\nA rewrite that never ends",
        mentionsTags: "I should write it between <refine> and </refine>, so:\n<refine>\nThe real one.\n</refine>"
    };
    let m: Opened;
    beforeAll(async () => {
        m = await open({
            initial: "Nothing to say here.",
            triggers: [{ after: "1", script: shapes.twoBlocks }, { after: "2", script: shapes.unclosed }, { after: " ", script: shapes.mentionsTags }]
        });
    });
    afterAll(async () => { await m?.dispose(); });

    it("each trigger character starts its own script; anything else the initial one", async () => {
        const say = async (prompt: string) => {
            const tokens = [...m.model.leadingBos, ...m.model.tokenizeText(prompt, "the test prompt", false)];
            return (await m.generator.withGroup(async ([lane]) => await lane!.generate(tokens, paperSampler(2)))).text;
        };
        expect(await say("Shape 1")).toBe(shapes.twoBlocks);
        expect(await say("Shape 2")).toBe(shapes.unclosed);
        expect(await say("Shape ")).toBe(shapes.mentionsTags);
        expect(await say("Shape 3")).toBe("Nothing to say here.");
        // A newline is no trigger without an edit script.
        expect(await say("Shape 1\n")).toBe("Nothing to say here.");
    });
});

describe("scripted model with add_space_prefix (as real Llama vocabularies)", () => {
    it("llama.cpp's detokeniser drops one leading space of the first token it is given, unless given earlier tokens", async () => {
        const written = scriptedModel({ initial: "  two spaces first.", addSpacePrefix: true });
        const model = await LoadedModel.load(written.file, { gpu: "off" });
        try {
            const prompt = model.tokenizeText("Hello", "the test prompt", false);
            expect(model.model.detokenize(written.initial.tokenIds, false)).toBe(" two spaces first.");
            expect(model.model.detokenize(written.initial.tokenIds, false, prompt)).toBe("  two spaces first.");
        } finally {
            await model.dispose();
        }
    });
});

describe("writeScriptedModel", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "reer-scripted-test-"));

    it("writes a small file fast, even for long scripts that repeat themselves", () => {
        const sentence = "the keeper climbs the stairs again and trims the wick.";
        const draft = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: ${sentence}`).join("\n\n");
        const edit = `<refine>\n${Array.from({ length: 10 }, () => sentence).join(" ")}\n</refine>`;
        const started = performance.now();
        const written = writeScriptedModel(path.join(dir, "long.gguf"), { initial: draft, edit });
        expect(performance.now() - started).toBeLessThan(2000);
        expect(statSync(written.file).size).toBeLessThan(4 << 20);
        expect(written.initial.pieceTexts.join("")).toBe(draft);
        expect(written.edit!.pieceTexts.join("")).toBe(edit);
        // Every piece is unique across both scripts, though they repeat one sentence 50 times.
        const pieces = written.scripts.flatMap((script) => script.pieces);
        expect(new Set(pieces).size).toBe(pieces.length);
    });

    it("refuses what a script cannot say", () => {
        expect(() => writeScriptedModel(path.join(dir, "bad.gguf"), { initial: "ok" })).toThrow(/at least 3 characters/);
        expect(() => writeScriptedModel(path.join(dir, "bad.gguf"), { initial: "a\u2581b" })).toThrow(/space marker/);
        expect(() => writeScriptedModel(path.join(dir, "bad.gguf"), { initial: "abc", triggers: [{ after: "\u00e9", script: "abc" }] }))
            .toThrow(/one ASCII character/);
    });
});
