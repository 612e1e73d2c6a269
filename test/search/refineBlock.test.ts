import { describe, expect, it } from "vitest";
import { extractRefineBlock } from "../../src/search/refineBlock.js";

describe("extractRefineBlock", () => {
    it("skips tags mentioned in the analysis and takes the block written after them", () => {
        const turn = "<analyze>I will put it between <refine> and </refine>.</analyze>\n<refine>\nReal text.\n</refine>";
        expect(extractRefineBlock(turn)).toEqual({ kind: "closed", text: "Real text." });
    });

    it("takes the last of several closed blocks", () => {
        expect(extractRefineBlock("<refine>First try.</refine> Wait, better: <refine>Second try.</refine>"))
            .toEqual({ kind: "closed", text: "Second try." });
    });

    it("takes an unclosed last block, not the closed one before it", () => {
        expect(extractRefineBlock("<refine>Done.</refine> Or rather:\n<refine>\nCut off mid"))
            .toEqual({ kind: "unclosed", text: "Cut off mid" });
        expect(extractRefineBlock("Use <refine> and </refine>. <refine>\nStarted")).toEqual({ kind: "unclosed", text: "Started" });
        expect(extractRefineBlock("Only an opening <refine>  \n")).toEqual({ kind: "unclosed", text: "" });
    });

    it("finds no candidate without an opening tag", () => {
        expect(extractRefineBlock("No tags here.")).toEqual({ kind: "none" });
        expect(extractRefineBlock("")).toEqual({ kind: "none" });
        expect(extractRefineBlock("A stray </refine> only.")).toEqual({ kind: "none" });
        // The tags are matched exactly, as the reference does.
        expect(extractRefineBlock("<Refine>x</Refine>")).toEqual({ kind: "none" });
    });

    it("gives an empty closed block for an empty or blank body", () => {
        expect(extractRefineBlock("<refine></refine>")).toEqual({ kind: "closed", text: "" });
        expect(extractRefineBlock("<refine> \n\t</refine>")).toEqual({ kind: "closed", text: "" });
    });

    it("runs to the last </refine> after the last <refine>", () => {
        expect(extractRefineBlock("<refine>a</refine> b </refine>")).toEqual({ kind: "closed", text: "a</refine> b" });
        expect(extractRefineBlock("<refine>a</refine> b </refine> tail")).toEqual({ kind: "closed", text: "a</refine> b" });
    });

    it("keeps CJK text intact", () => {
        const turn = "<analyze>\n这段的作用是引出主题。\n</analyze>\n<refine>\n嗯，我想先写河边的春天。\n</refine>";
        expect(extractRefineBlock(turn)).toEqual({ kind: "closed", text: "嗯，我想先写河边的春天。" });
    });

    it("trims CRLF line breaks around the block and keeps those inside it", () => {
        expect(extractRefineBlock("<refine>\r\nLine one.\r\nLine two.\r\n</refine>\r\n"))
            .toEqual({ kind: "closed", text: "Line one.\r\nLine two." });
    });
});
