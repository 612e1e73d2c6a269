import { describe, expect, it } from "vitest";
import type { InvalidInputError } from "../../src/errors/inputErrors.js";
import { evaluationSchema, type Evaluation } from "../../src/evaluation/evaluationSchema.js";
import { renderReport } from "../../src/report/renderReport.js";
import { HOSTILE, sampleTrace } from "../support/traceFixtures.js";

const records = sampleTrace();
const [lighthouse, tricky, bread] = records;

/** An evaluation of the sample trace's three done items, numbers made up and summarised by hand. */
function evaluation(ids: string[] = [lighthouse!.id, tricky!.id, bread!.id]): Evaluation {
    const ppl = [[12, 10, 9], [7, 6, 6.3], [20, 16, 12]] as const;
    return evaluationSchema.parse({
        items: ids.map((id, index) => ({
            id, ppl_empty: ppl[index]![0], ppl_initial: ppl[index]![1], ppl_final: ppl[index]![2],
            objective_empty: 1.3, objective_initial: 1.2, objective_final: 1.1
        })),
        summary: {
            // Final beats z0 on lighthouse and bread, beats no thinking on all three; drops vs z0 0.1, -0.05, 0.25.
            items: ids.length, improved_vs_initial: 2 / 3, improved_vs_empty: 1, median_drop_vs_initial: 0.1, median_drop_vs_empty: 0.25,
            scorer: { path: "/models/judge.gguf", name: "Judge-8B", sizeBytes: 1, headSha256: "cd".repeat(32), architecture: "qwen3" },
            held_out: true, template: "paper", clip_floor: -2,
            skipped_records: [{ id: "ex-letter-zh", line: 4, status: "skipped", reason: "context too small" }, { id: "ex-haiku", line: 5, status: "failed", reason: "Error: decode failed" }],
            duplicate_ids: [], stopped: false
        }
    });
}

function itemView(page: string, index: number): string {
    const start = page.indexOf(`<article class="item-view" data-item="${index}"`);
    expect(start).toBeGreaterThanOrEqual(0);
    return page.slice(start, page.indexOf("</article>", start));
}

describe("the report with an evaluation", () => {
    const html = renderReport(records, { source: "traces.jsonl", evaluation: evaluation(), evaluationSource: "eval.json" });

    it("adds a summary block with the evaluation's numbers", () => {
        const block = html.slice(html.indexOf(`<h2 id="evaluation">`), html.indexOf(`<h2 id="scores">`));
        expect(block).toContain("What the thinking is worth");
        expect(block).toContain("Judge-8B (held-out judge; paper layout; cdcdcdcd)");
        expect(block).toContain("3 evaluated, 2 not (ex-letter-zh, ex-haiku)");
        expect(block).toContain("<dt>Final z beats z0</dt><dd>2 of 3 (66.7%)</dd>");
        expect(block).toContain("<dt>Final z beats no thinking</dt><dd>3 of 3 (100.0%)</dd>");
        expect(block).toContain("<dt>Median PPL drop vs z0</dt><dd>10.0%</dd>");
        expect(block).toContain("<dt>Median PPL drop vs no thinking</dt><dd>25.0%</dd>");
        expect(html).toContain(`<a href="#evaluation">Evaluation</a>`);
    });

    it("shows each evaluated item's perplexities in its view, and none for the others", () => {
        expect(itemView(html, 0)).toContain("no thinking 12.000 · z0 10.000 · final z 9.000 (drop 10.0% vs z0)");
        expect(itemView(html, 1)).toContain("no thinking 7.000 · z0 6.000 · final z 6.300 (drop -5.0% vs z0)");
        expect(itemView(html, 2)).toContain("no thinking 20.000 · z0 16.000 · final z 12.000 (drop 25.0% vs z0)");
        for (const index of [3, 4])
            expect(itemView(html, index)).not.toContain("PPL of y (evaluation)");
        expect(html.includes(HOSTILE)).toBe(false);
    });

    it("leaves the page as it was without one", () => {
        const plain = renderReport(records, { source: "traces.jsonl" });
        expect(plain).not.toContain("What the thinking is worth");
        expect(plain).not.toContain("#evaluation");
        expect(plain).not.toContain("PPL of y (evaluation)");
    });

    it("refuses an evaluation of another trace, naming the item's field", () => {
        const foreign = evaluation([lighthouse!.id, "someone-else", bread!.id]);
        expect(() => renderReport(records, { evaluation: foreign, evaluationSource: "eval.json" }))
            .toThrow(`eval.json (field "items.1.id"): "someone-else" is not an item of the trace`);
        const skipped = evaluation([lighthouse!.id, "ex-letter-zh", bread!.id]);
        try {
            renderReport(records, { evaluation: skipped, evaluationSource: "eval.json" });
            expect.unreachable();
        } catch (error) {
            expect((error as InvalidInputError).code).toBe("INVALID_INPUT");
            expect((error as InvalidInputError).message).toContain(`"ex-letter-zh" is skipped in the trace, not done`);
        }
    });
});
