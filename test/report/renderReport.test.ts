import { describe, expect, it } from "vitest";
import { ReerError } from "../../src/errors/ReerError.js";
import { chartJsSource } from "../../src/report/chartJsSource.js";
import { chooseItem } from "../../src/report/chooseItem.js";
import type { ReportData } from "../../src/report/reportData.js";
import { renderReport } from "../../src/report/renderReport.js";
import { HOSTILE, paperSkippedRecord, sampleTrace } from "../support/traceFixtures.js";

const records = sampleTrace();
const html = renderReport(records, { source: "traces.jsonl", generatedAt: new Date("2025-01-02T03:04:05Z") });

function embeddedData(page: string): ReportData {
    const match = /<script type="application\/json" id="reer-report-data">([\s\S]*?)<\/script>/.exec(page);
    expect(match).not.toBeNull();
    return JSON.parse(match![1]!) as ReportData;
}

/** The server-rendered view of one item, by its position in the trace. */
function itemView(page: string, index: number): string {
    const start = page.indexOf(`<article class="item-view" data-item="${index}"`);
    expect(start).toBeGreaterThanOrEqual(0);
    return page.slice(start, page.indexOf("</article>", start));
}

describe("renderReport", () => {
    it("is self-contained: Chart.js inline, nothing fetched from anywhere", () => {
        const chartJs = chartJsSource();
        expect(chartJs).toContain("Chart.js v4.6.1");
        expect(html.includes(chartJs)).toBe(true);
        // Matches are collected rather than matched on the page, so a failure prints the offender, not 200 kB.
        const offenders = (pattern: RegExp, text: string) => [...text.matchAll(pattern)].map((match) => text.slice(match.index, match.index + 80));
        expect(offenders(/\b(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//gi, html)).toEqual([]);
        expect(offenders(/<script[^>]*\ssrc\s*=/gi, html)).toEqual([]);
        // Outside Chart.js's own code: no stylesheets, fonts, images or frames to load.
        const ownPart = html.replace(chartJs, "");
        expect(offenders(/<link\b|@import|@font-face|url\(|<(?:img|iframe|object|embed)\b/gi, ownPart)).toEqual([]);
        // Every chart the page declares has a canvas the script draws into.
        expect(ownPart.match(/<canvas id="chart-/g)).toHaveLength(10);
    });

    it("escapes user text in the page and round-trips it through the embedded JSON", () => {
        // Exactly three script elements close: the data, Chart.js and the page's script.
        expect(html.match(/<\/script>/gi)).toHaveLength(3);
        for (const raw of ["<b>", "<!-- x", "<script>alert", HOSTILE])
            expect(html.includes(raw), raw).toBe(false);

        const data = embeddedData(html);
        const tricky = records[1]!;
        expect(data.items[1]!.id).toBe(tricky.id);
        expect(data.items[1]!.xPreview).toBe(tricky.x);
        expect(data.items.map((item) => item.id)).toEqual(records.map((record) => record.id));

        const view = itemView(html, 1);
        expect(view).toContain("tricky-&lt;/script&gt;&lt;b&gt;&amp;amp; &quot;quoted&quot; &#39;single&#39; &lt;!-- x");
        expect(view).toContain("&lt;script&gt;alert(&quot;no&quot;)&lt;/script&gt; &amp;");
        expect(view).not.toContain(HOSTILE);
    });

    it("opens on the item with the largest improvement unless --item names one", () => {
        expect(chooseItem(records)).toBe(2);
        expect(records[2]!.id).toBe("ex-bread");
        expect(itemView(html, 2)).not.toMatch(/^<article[^>]*hidden/);
        for (const other of [0, 1, 3, 4])
            expect(itemView(html, other)).toMatch(/^<article[^>]*hidden/);
        expect(html).toContain(`<option value="2" selected>`);

        const picked = renderReport(records, { itemId: "ex-lighthouse" });
        expect(itemView(picked, 0)).not.toMatch(/^<article[^>]*hidden/);
        expect(itemView(picked, 2)).toMatch(/^<article[^>]*hidden/);
        expect(() => renderReport(records, { itemId: "nope" })).toThrow(/No item with id "nope"/);
    });

    it("marks the rewritten segments of z0 against z", () => {
        const view = itemView(html, 2);
        const marks = [...view.matchAll(/<div class="seg (changed|same)" data-segment="(\d+)">/g)].map((match) => [Number(match[2]), match[1]]);
        expect(marks).toEqual([[0, "changed"], [1, "changed"], [2, "same"], [3, "changed"], [4, "same"]]);
        expect(view).toContain("3 of 5 segment(s) rewritten");
        expect(view).toContain("step 1: rewritten, objective −0.1200");
        expect(view).toContain("step 3: kept (3 candidate(s); rejected: no-refine-block ×2)");
        // Without --model the y section says how to get per-token colours.
        expect(view).toContain("--item ex-bread --model /models/Qwen2.5-1.5B-Instruct.gguf");
    });

    it("limits the picker to --max-items, keeping the chosen item", () => {
        const page = renderReport(records, { itemId: "ex-haiku", maxItems: 2 });
        expect(page.match(/<article class="item-view"/g)).toHaveLength(2);
        // The chosen item, open, then the most improved one ("ex-bread"), hidden; no other item gets a view.
        const views = [...page.matchAll(/<article class="item-view" data-item="(\d+)"/g)].map((match) => Number(match[1]));
        expect(views.sort()).toEqual([2, 4]);
        expect(itemView(page, 4)).toContain("decode failed");
        expect(itemView(page, 4)).not.toMatch(/^<article[^>]*hidden/);
        expect(itemView(page, 2)).toMatch(/^<article[^>]*hidden/);
        expect(itemView(page, 2)).toContain("ex-bread");
        expect([...page.matchAll(/<option value="(\d+)"( selected)?>/g)].map((match) => [Number(match[1]), match[2] != null])).toEqual([[4, true], [2, false]]);
        expect(page).toContain("Showing 2 of 5 items");
    });

    it("says there is no data instead of drawing empty charts", () => {
        const page = renderReport([paperSkippedRecord(1, "only", "x", "y", "context too small")]);
        expect(page).not.toContain(`id="chart-step-gain"`);
        expect(page).not.toContain(`id="chart-scatter"`);
        expect(page).toContain(`id="chart-status"`);
        expect(page).toContain("No data for this chart in this trace.");
    });

    it("refuses an empty trace with a user error", () => {
        expect(() => renderReport([])).toThrow(ReerError);
    });
});

describe("the report against no thinking", () => {
    it("says per run and per item whether z* beats no thinking, from each record's scoreEmpty", async () => {
        const { doneRecord, score } = await import("../support/traceFixtures.js");
        // Hand-made: item a beats no thinking (PPL 4 against 5, a 20% drop), item b does not (6 against 5).
        const a = doneRecord({ id: "a", key: "a", score: score(1.0, { ppl: 4 }), scoreEmpty: score(1.2, { ppl: 5 }) });
        const b = doneRecord({ id: "b", key: "b", line: 2, score: score(1.3, { ppl: 6 }), scoreEmpty: score(1.2, { ppl: 5 }) });
        const page = renderReport([a, b], { source: "t.jsonl", generatedAt: new Date("2025-01-02T03:04:05Z") });
        expect(page).toContain("z* beats no thinking on 1 of 2 item(s) by the objective the search minimises; median PPL 0.0% lower than with no thinking");
        expect(itemView(page, 0)).toContain("PPL 5.000 with no thinking, 4.000 with z* (beats it, PPL drop 20.0%)");
        expect(itemView(page, 1)).toContain("PPL 5.000 with no thinking, 6.000 with z* (does not beat it, PPL drop -20.0%)");
    });
});
