// The report page's own script (src/report/client/reportClient.js) as an asset: it parses
// as a classic browser script, type-checks under tsconfig.client.json, is inlined into
// the page as the renderer escapes it, and, run against a stub DOM and a stub Chart.js,
// draws every chart the page declares and wires the item picker.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { inlineScript } from "../../src/report/htmlText.js";
import { renderReport } from "../../src/report/renderReport.js";
import { reportClientPath, reportClientScript } from "../../src/report/reportClientScript.js";
import { sampleTrace } from "../support/traceFixtures.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const source = reportClientScript();
const html = renderReport(sampleTrace(), { source: "traces.jsonl", generatedAt: new Date("2025-01-02T03:04:05Z") });

function runTsc(project: string): Promise<{ code: number; output: string }> {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    return new Promise((resolve) => {
        execFile(process.execPath, [tsc, "-p", project, "--pretty", "false"], { cwd: repoRoot }, (error, stdout, stderr) => {
            const code = error == null ? 0 : typeof error.code === "number" ? error.code : 1;
            resolve({ code, output: `${stdout}${stderr}` });
        });
    });
}

type ChartCall = { canvas: string; config: any };
type Listener = () => void;

/** Just enough of a page for the script: the elements it looks up, and a Chart that records what it is asked to draw. */
function stubPage(page: string) {
    const dataText = /<script type="application\/json" id="reer-report-data">([\s\S]*?)<\/script>/.exec(page)![1]!;
    const canvasIds = [...page.matchAll(/<canvas id="([^"]+)"/g)].map((match) => match[1]!);
    const viewIds = [...page.matchAll(/<article class="item-view" data-item="(\d+)"/g)].map((match) => match[1]!);
    const views = viewIds.map((id) => ({ hidden: false, getAttribute: (name: string) => name === "data-item" ? id : null }));
    const listeners: Record<string, Listener> = {};
    const select = { value: "", addEventListener: (type: string, listener: Listener) => { listeners[type] = listener; } };
    const scrolled: string[] = [];
    const elements: Record<string, object> = {
        "reer-report-data": { textContent: dataText },
        "item-select": select,
        item: { scrollIntoView: () => { scrolled.push("item"); } },
        ...Object.fromEntries(canvasIds.map((id) => [id, { id }]))
    };
    const charts: ChartCall[] = [];
    class Chart {
        static defaults = { font: {}, plugins: { legend: { labels: {} }, tooltip: {} }, datasets: { bar: {} } } as Record<string, any>;
        constructor(canvas: { id: string }, config: unknown) {
            charts.push({ canvas: canvas.id, config });
        }
    }
    const context: Record<string, unknown> = {
        Chart,
        document: {
            body: {},
            getElementById: (id: string) => elements[id] ?? null,
            querySelectorAll: (selector: string) => selector === ".item-view" ? views : []
        },
        getComputedStyle: () => ({ fontFamily: "system-ui" })
    };
    context.window = context;
    return { context, canvasIds, views, select, listeners, scrolled, charts, Chart };
}

describe("the report's client script", () => {
    it("parses as a classic browser script", () => {
        expect(() => new vm.Script(source, { filename: reportClientPath })).not.toThrow();
        expect(source.startsWith("// @ts-check\n")).toBe(true);
    });

    it("type-checks under tsconfig.client.json (DOM lib, checkJs)", async () => {
        const { code, output } = await runTsc("tsconfig.client.json");
        expect(output).toBe("");
        expect(code).toBe(0);
    });

    it("is inlined in the page verbatim, escaped as inline scripts are", () => {
        expect(html).toContain(`<script>${inlineScript(source)}</script>`);
        // The data block comes first, Chart.js next, the page's script last.
        expect(html.indexOf(inlineScript(source))).toBeGreaterThan(html.indexOf('id="reer-report-data"'));
    });

    it("draws every declared chart and wires the item picker (stub DOM and Chart.js)", () => {
        const page = stubPage(html);
        new vm.Script(source, { filename: reportClientPath }).runInContext(vm.createContext(page.context));

        expect(page.Chart.defaults.animation).toBe(false);
        expect(page.charts.map((chart) => chart.canvas).sort()).toEqual([...page.canvasIds].sort());
        expect(page.canvasIds.length).toBeGreaterThanOrEqual(10);

        // The scatter's points name their items; a tooltip titles with the id, a click opens the item.
        const scatter = page.charts.find((chart) => chart.canvas === "chart-scatter")!.config;
        const point = scatter.data.datasets[0].data[0] as { x: number; y: number; item: number };
        const records = sampleTrace();
        expect(scatter.options.plugins.tooltip.callbacks.title([{ raw: point }])).toBe(records[point.item]!.id);
        scatter.options.onClick({}, [{ datasetIndex: 0, index: 0 }]);
        expect(page.views.filter((view) => !view.hidden).map((view) => view.getAttribute("data-item"))).toEqual([String(point.item)]);
        expect(page.select.value).toBe(String(point.item));
        expect(page.scrolled).toEqual(["item"]);

        // Choosing in the picker shows that item's view alone.
        const other = page.views.find((view) => view.getAttribute("data-item") !== String(point.item))!.getAttribute("data-item")!;
        page.select.value = other;
        page.listeners.change!();
        expect(page.views.filter((view) => !view.hidden).map((view) => view.getAttribute("data-item"))).toEqual([other]);
    });
});
