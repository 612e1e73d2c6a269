import { describe, expect, it } from "vitest";
import { joinSegments, segmentSpans, segmentText, splitHeadTail } from "../../src/text/segmentText.js";
import { loadSamplePairs } from "../support/pairs.js";

// Paragraphs of 116, 120 and 120 characters: long enough to stand alone.
const A = "The river had been rising for three days, and the people of the valley watched it from the high road without a word.";
const B = "On the fourth morning the water reached the mill, and the miller carried his sacks up to the loft one at a time, slowly.";
const C = "By evening the rain stopped, the clouds broke apart over the hills, and the whole valley smelled of wet earth and smoke.";

// Chinese paragraphs of 118 and 111 code points.
const Z1 = "春天来了，河边的柳树抽出了新芽，孩子们放学后总喜欢在堤岸上奔跑。风从南方吹来，带着泥土和青草的气味，老人们坐在门口晒太阳，说今年的雨水会比往年多一些，田里的庄稼一定长得好。村口的石桥下，河水比冬天宽了许多，清清亮亮的，能看见水底的卵石。";
const Z2 = "到了傍晚，炊烟从一家一家的屋顶升起来，母亲站在院子里喊孩子回家吃饭。孩子们一边答应，一边还舍不得离开河岸，直到天色完全暗下来，才三三两两地走回村子。夜里，蛙声一阵接着一阵，整个村庄都睡在温暖的春风里，只有桥头那盏灯还亮着。";

// A poem without stanza breaks; every line is shorter than 100 characters.
const POEM = [
    "The lamp is lit above the harbour wall,",
    "and gulls go quiet,",
    "one by one,",
    "as evening folds the water into grey and slow.",
    "I walk the stones.",
    "Nobody calls."
].join("\n");

describe("segmentText: blank-line splitting", () => {
    it("splits paragraphs on blank lines", () => {
        expect(segmentText(`${A}\n\n${B}\n\n${C}`)).toEqual([A, B, C]);
    });

    it("treats a line of spaces and tabs as blank", () => {
        expect(segmentText(`${A}\n  \t\n${B}`)).toEqual([A, B]);
        expect(segmentText(`${A}\n \n\t\n${B}`)).toEqual([A, B]);
    });

    it("trims whitespace around segments (trailing spaces, indentation)", () => {
        expect(segmentText(`  ${A}   \n\n    ${B}\t\n`)).toEqual([A, B]);
    });

    it("treats a run of 3 or more newlines as one separator", () => {
        expect(segmentText(`${A}\n\n\n${B}\n\n\n\n\n${C}`)).toEqual([A, B, C]);
    });

    it("accepts CRLF line breaks", () => {
        expect(segmentText(`${A}\r\n\r\n${B}`)).toEqual([A, B]);
    });

    it("keeps single newlines inside a paragraph when blank lines exist", () => {
        expect(segmentText(`${A}\n${B}\n\n${C}`)).toEqual([`${A}\n${B}`, C]);
    });
});

describe("segmentText: single-newline fallback", () => {
    it("splits on single newlines when there is no blank line", () => {
        expect(segmentText(`${A}\n${B}\n${C}`)).toEqual([A, B, C]);
    });

    it("falls back when the only blank lines are at the ends", () => {
        expect(segmentText(`\n\n${A}\n${B}\n\n`)).toEqual([A, B]);
    });

    it("keeps a poem of short lines as one segment at the default 100", () => {
        expect(segmentText(POEM)).toEqual([POEM]);
    });

    it("splits a poem by lines, merging short lines forward, at minChunkChars 30", () => {
        // Line lengths 39, 19, 11, 46, 18, 13: lines 2-3 join line 4, lines 5-6 join the last segment.
        expect(segmentText(POEM, { minChunkChars: 30 })).toEqual([
            "The lamp is lit above the harbour wall,",
            "and gulls go quiet,\none by one,\nas evening folds the water into grey and slow.\nI walk the stones.\nNobody calls."
        ]);
    });

    it("falls back when blank lines give two pieces that merge into one", () => {
        expect(segmentText(`Title\n\n${A}\n${B}`)).toEqual([`Title\n\n${A}`, B]);
    });

    it("falls back when a short closing paragraph merges into the one before it", () => {
        // Two 120-character lines, a blank line, a 20-character line: one blank-line segment.
        expect(segmentText(`${B}\n${C}\n\nThe water went down.`)).toEqual([B, `${C}\n\nThe water went down.`]);
    });

    it("does not fall back when blank lines leave two segments after merging", () => {
        expect(segmentText(`Title\n\n${A}\n${B}\n\n${C}`)).toEqual([`Title\n\n${A}\n${B}`, C]);
    });
});

describe("segmentText: short chunks", () => {
    it("merges a title into the paragraph after it, keeping the separator", () => {
        expect(segmentText(`The Flood\n\n${A}\n\n${B}`)).toEqual([`The Flood\n\n${A}`, B]);
        expect(segmentText(`The Flood\n\n\n${A}\n\n${B}`)).toEqual([`The Flood\n\n\n${A}`, B]);
    });

    it("merges several short chunks in a row into the next long one", () => {
        expect(segmentText(`I.\n\nThe Flood\n\nA story\n\n${A}\n\n${B}`)).toEqual([`I.\n\nThe Flood\n\nA story\n\n${A}`, B]);
        expect(segmentText(`${A}\n\nOne.\n\nTwo.\n\n${B}`)).toEqual([A, `One.\n\nTwo.\n\n${B}`]);
    });

    it("merges several short lines in a row (line mode)", () => {
        expect(segmentText(`Chapter 1\nThe Flood\n${A}\n${B}`)).toEqual([`Chapter 1\nThe Flood\n${A}`, B]);
    });

    it("joins short leftovers at the end to the last segment", () => {
        expect(segmentText(`${A}\n\n${B}\n\nThe end.\n\n— Anonymous`)).toEqual([A, `${B}\n\nThe end.\n\n— Anonymous`]);
        expect(segmentText(`${A}\n${B}\nThe end.`)).toEqual([A, `${B}\nThe end.`]);
    });

    it("returns the whole text as one segment when no chunk is long", () => {
        expect(segmentText("One.\n\nTwo.\n\nThree.")).toEqual(["One.\n\nTwo.\n\nThree."]);
        expect(segmentText("Hello")).toEqual(["Hello"]);
    });

    it("counts 100 characters as long and 99 as short", () => {
        const x99 = "x".repeat(99);
        const y100 = "y".repeat(100);
        expect(segmentText(`${y100}\n\n${y100}`)).toEqual([y100, y100]);
        expect(segmentText(`${x99}\n\n${y100}\n\n${y100}`)).toEqual([`${x99}\n\n${y100}`, y100]);
    });

    it("measures the trimmed chunk, not its indentation", () => {
        const x95 = "x".repeat(95);
        expect(segmentText(`${A}\n\n          ${x95}\n\n${B}`)).toEqual([A, `${x95}\n\n${B}`]);
    });

    it("honours minChunkChars", () => {
        expect(segmentText("One.\n\nTwo.\n\nThree.", { minChunkChars: 1 })).toEqual(["One.", "Two.", "Three."]);
        expect(segmentText("One.\n\nTwo.\n\nThree.", { minChunkChars: 5 })).toEqual(["One.\n\nTwo.\n\nThree."]);
        expect(segmentText("One.\n\nTwo.\n\nThree.", { minChunkChars: 0 })).toEqual(["One.", "Two.", "Three."]);
        expect(() => segmentText("x", { minChunkChars: -1 })).toThrow(RangeError);
        expect(() => segmentText("x", { minChunkChars: Number.NaN })).toThrow(RangeError);
    });
});

describe("segmentText: LaTeX display blocks", () => {
    it("never splits inside \\[ ... \\] even across blank lines", () => {
        const text = "Intro\n\n\\[\na^2 + b^2\n\n= c^2\n\\]\n\nOutro";
        expect(segmentText(text, { minChunkChars: 1 })).toEqual(["Intro", "\\[\na^2 + b^2\n\n= c^2\n\\]", "Outro"]);
    });

    it("keeps a display block in one chunk at the default threshold", () => {
        const block = "\\[\n\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}\n\n\\qquad\\text{and}\\qquad\n\n\\sum_{k=1}^{n} k^2 = \\frac{n(n+1)(2n+1)}{6}\n\\]";
        expect(segmentText(`${A}\n\n${block}\n\n${B}`)).toEqual([A, block, B]);
    });

    it("lets an unclosed \\[ keep the rest of the text together", () => {
        expect(segmentText("Intro\n\n\\[\nx = 1\n\nOutro\n\nMore", { minChunkChars: 1 })).toEqual(["Intro", "\\[\nx = 1\n\nOutro\n\nMore"]);
    });

    it("splits normally after a closed block, and between two blocks", () => {
        expect(segmentText("\\[a\\]\n\nb\n\n\\[c\n\nd\\]\n\ne", { minChunkChars: 1 })).toEqual(["\\[a\\]", "b", "\\[c\n\nd\\]", "e"]);
    });

    it("protects the block in the single-newline fallback too", () => {
        expect(segmentText("Let\n\\[\na\n\nb\n\\]\nso", { minChunkChars: 1 })).toEqual(["Let", "\\[\na\n\nb\n\\]", "so"]);
    });

    it("does not read \\\\[2pt] (a LaTeX line break) as an opening", () => {
        expect(segmentText("Row one \\\\[2pt]\n\nRow two", { minChunkChars: 1 })).toEqual(["Row one \\\\[2pt]", "Row two"]);
    });

    it("ignores a stray \\] with no opening", () => {
        expect(segmentText("a \\]\n\nb", { minChunkChars: 1 })).toEqual(["a \\]", "b"]);
    });
});

describe("segmentText: CJK", () => {
    it("splits Chinese paragraphs on blank lines", () => {
        expect(segmentText(`${Z1}\n\n${Z2}`)).toEqual([Z1, Z2]);
    });

    it("merges a Chinese title and trims ideographic-space indentation in line mode", () => {
        expect(segmentText(`春天的河\n　　${Z1}\n　　${Z2}`)).toEqual([`春天的河\n　　${Z1}`, Z2]);
    });

    it("counts code points: 60 ideographs are short, 100 are long", () => {
        const short = "春".repeat(60);
        const long = "河".repeat(100);
        expect(segmentText(`${short}\n\n${long}\n\n${long}`)).toEqual([`${short}\n\n${long}`, long]);
    });

    it("counts an astral character once, not as two UTF-16 units", () => {
        const emoji50 = "😀".repeat(50); // 100 UTF-16 units, 50 code points
        const emoji100 = "😀".repeat(100);
        expect(segmentText(`${emoji50}\n\n${A}`)).toEqual([`${emoji50}\n\n${A}`]);
        expect(segmentText(`${emoji100}\n\n${A}`)).toEqual([emoji100, A]);
    });
});

describe("segmentText: empty input", () => {
    it("returns no segments for empty or whitespace-only text", () => {
        expect(segmentText("")).toEqual([]);
        expect(segmentText("   ")).toEqual([]);
        expect(segmentText("\n\n \t\n\r\n")).toEqual([]);
        expect(segmentSpans("\n\n")).toEqual([]);
    });
});

describe("segmentSpans", () => {
    it("gives UTF-16 offsets of the trimmed segments", () => {
        const text = `\n${A}\n\n${B}  \n`;
        expect(segmentSpans(text)).toEqual([
            { start: 1, end: 1 + A.length },
            { start: 1 + A.length + 2, end: 1 + A.length + 2 + B.length }
        ]);
    });
});

describe("joinSegments", () => {
    it("trims segments and joins them with a blank line", () => {
        expect(joinSegments(["  One. ", "\nTwo.\n", "Three."])).toBe("One.\n\nTwo.\n\nThree.");
        expect(joinSegments([`Title\n\n\n${A}`, `${B}\n`])).toBe(`Title\n\n\n${A}\n\n${B}`);
        expect(joinSegments([])).toBe("");
    });
});

describe("splitHeadTail", () => {
    it("(a) puts a short title and the first paragraph in the head, the separator in the tail", () => {
        expect(splitHeadTail(`The Flood\n\n${A}\n\n${B}\n\n${C}`)).toEqual({
            head: `The Flood\n\n${A}`,
            tail: `\n\n${B}\n\n${C}`
        });
    });

    it("(b) leaves the head empty when y is one segment", () => {
        expect(splitHeadTail(A)).toEqual({ head: "", tail: A });
        expect(splitHeadTail(`The Flood\n\n${A}`)).toEqual({ head: "", tail: `The Flood\n\n${A}` });
        expect(splitHeadTail(POEM)).toEqual({ head: "", tail: POEM });
        expect(splitHeadTail("")).toEqual({ head: "", tail: "" });
        expect(splitHeadTail(" \n ")).toEqual({ head: "", tail: " \n " });
    });

    it("keeps leading whitespace in the head and the exact separator in the tail", () => {
        expect(splitHeadTail(`\n  ${A}  \n \n\n${B}\n`)).toEqual({ head: `\n  ${A}`, tail: `  \n \n\n${B}\n` });
        expect(splitHeadTail(`${A}\r\n\r\n${B}`)).toEqual({ head: A, tail: `\r\n\r\n${B}` });
        expect(splitHeadTail(`春天的河\n　　${Z1}\n　　${Z2}`)).toEqual({ head: `春天的河\n　　${Z1}`, tail: `\n　　${Z2}` });
    });

    it("splits y by lines when its blank-line paragraphs merge into one", () => {
        expect(splitHeadTail(`${B}\n${C}\n\nThe water went down.`)).toEqual({ head: B, tail: `\n${C}\n\nThe water went down.` });
    });

    it("passes minChunkChars through", () => {
        expect(splitHeadTail("One.\n\nTwo.", { minChunkChars: 1 })).toEqual({ head: "One.", tail: "\n\nTwo." });
    });
});

// Every hand-written input above, for the properties below.
const INPUTS: string[] = [
    "", "   ", "\n\n \t\n\r\n", "Hello", A, POEM,
    `${A}\n\n${B}\n\n${C}`, `${A}\n  \t\n${B}`, `  ${A}   \n\n    ${B}\t\n`, `${A}\n\n\n${B}\n\n\n\n\n${C}`,
    `${A}\r\n\r\n${B}`, `${A}\n${B}\n\n${C}`, `${A}\n${B}\n${C}`, `\n\n${A}\n${B}\n\n`, `Title\n\n${A}\n${B}`, `${B}\n${C}\n\nThe water went down.`,
    `The Flood\n\n${A}\n\n${B}`, `I.\n\nThe Flood\n\nA story\n\n${A}\n\n${B}`, `Chapter 1\nThe Flood\n${A}\n${B}`,
    `${A}\n\n${B}\n\nThe end.\n\n— Anonymous`, "One.\n\nTwo.\n\nThree.",
    `${A}\n\n\\[\n\\sum_{k=1}^{n} k\n\n= x\n\\]\n\n${B}`, "Intro\n\n\\[\nx = 1\n\nOutro", "Let\n\\[\na\n\nb\n\\]\nso",
    `${Z1}\n\n${Z2}`, `春天的河\n　　${Z1}\n　　${Z2}`, `${"😀".repeat(50)}\n\n${A}`, `\n  ${A}  \n \n\n${B}\n`
];

/** The documented invariant: segments are the input's non-whitespace parts, in order, separated by whitespace. */
function expectInvariant(text: string, segments: string[], separatorPattern: RegExp): void {
    let position = 0;
    for (const [index, segment] of segments.entries()) {
        expect(segment).not.toBe("");
        expect(segment.trim()).toBe(segment);
        const start = position + text.slice(position).search(/\S/u);
        const gap = text.slice(position, start);
        expect(gap).toMatch(index === 0 ? /^\s*$/u : separatorPattern);
        expect(text.startsWith(segment, start)).toBe(true);
        position = start + segment.length;
    }
    expect(text.slice(position)).toMatch(/^\s*$/u);
}

describe("properties over the hand-written inputs", () => {
    it.each(INPUTS.map((text) => [JSON.stringify(text).slice(0, 40), text]))("%s", (_label, text) => {
        const segments = segmentText(text);
        expectInvariant(text, segments, /^\s*\n\s*$/u);
        const { head, tail } = splitHeadTail(text);
        expect(`${head}${tail}`).toBe(text);
        if (segments.length >= 2) {
            expect(head.trimStart()).toBe(segments[0]);
            expect(tail.trimStart().startsWith(segments[1]!)).toBe(true);
        } else {
            expect(head).toBe("");
        }
        // Re-segmenting the normalised form gives the same segments.
        expect(segmentText(joinSegments(segments))).toEqual(segments);
    });
});

describe("properties over the sample pairs", () => {
    const pairs = loadSamplePairs();

    it("has pairs to check, some of them with several segments", () => {
        expect(pairs.length).toBeGreaterThan(0);
        expect(pairs.some((pair) => segmentText(pair.response).length >= 2)).toBe(true);
    });

    it.each(pairs.map((pair) => [pair.id, pair.response]))("%s", (_id, response) => {
        const segments = segmentText(response);
        expectInvariant(response, segments, /^\s*\n\s*$/u);
        for (const segment of segments.slice(0, -1))
            expect([...segment].length).toBeGreaterThanOrEqual(100);
        const { head, tail } = splitHeadTail(response);
        expect(head + tail).toBe(response);
        expect(head === "").toBe(segments.length <= 1);
        expect(segmentText(joinSegments(segments))).toEqual(segments);
    });
});
