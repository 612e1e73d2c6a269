import { describe, expect, it } from "vitest";
import { containsCjk, detectLanguage } from "../../src/text/cjk.js";

describe("containsCjk (U+4E00..U+9FFF)", () => {
    it("finds ideographs anywhere in the text", () => {
        expect(containsCjk("写一首关于春天的诗")).toBe(true);
        expect(containsCjk("Write a poem about 春天, please.")).toBe(true);
        expect(containsCjk("東京")).toBe(true); // kanji share the block: the reference rule, kept
    });

    it("is false for text without ideographs", () => {
        expect(containsCjk("")).toBe(false);
        expect(containsCjk("Write a short fable about a fox.")).toBe(false);
        expect(containsCjk("ひらがなとカタカナ")).toBe(false);
        expect(containsCjk("한국어 문장")).toBe(false);
        expect(containsCjk("，。、「」")).toBe(false); // CJK punctuation only
        expect(containsCjk("　")).toBe(false); // ideographic space
    });

    it("uses exactly the block boundaries", () => {
        expect(containsCjk("\u4E00")).toBe(true);
        expect(containsCjk("\u9FFF")).toBe(true);
        expect(containsCjk("\u4DFF")).toBe(false);
        expect(containsCjk("\uA000")).toBe(false);
        expect(containsCjk("\u3400")).toBe(false); // extension A
        expect(containsCjk("\u{20000}")).toBe(false); // extension B (astral)
    });
});

describe("detectLanguage", () => {
    it("picks zh when an ideograph occurs, en otherwise", () => {
        expect(detectLanguage("请写一篇关于故乡的散文。")).toBe("zh");
        expect(detectLanguage("Describe your home town. 故乡")).toBe("zh");
        expect(detectLanguage("Describe your home town.")).toBe("en");
        expect(detectLanguage("")).toBe("en");
    });
});
