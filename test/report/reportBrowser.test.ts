// Opt-in (REER_BROWSER_TESTS=1): renders a report for a small trace, opens it in headless
// Chromium and checks what only a browser can: the scripts run without errors, every
// chart canvas has pixels, nothing is fetched, and the item picker switches views.
// Leaves a screenshot at test-artifacts/report.png.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { renderReport } from "../../src/report/renderReport.js";
import { chromiumAvailable, chromiumPath, dumpDom, screenshot } from "./headlessChromium.js";
import { fakeTokenComparison, sampleTrace } from "../support/traceFixtures.js";

const enabled = process.env.REER_BROWSER_TESTS === "1";
const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "test-artifacts");

/** First in <head>: collects page errors, failed loads and console errors/warnings before any page script runs. */
const errorProbe = `<script>
window.__reerErrors = [];
window.addEventListener("error", function (event) {
  window.__reerErrors.push("error: " + (event.message || (event.target && (event.target.src || event.target.href)) || "load failed"));
}, true);
window.addEventListener("unhandledrejection", function (event) { window.__reerErrors.push("unhandled rejection: " + event.reason); });
["error", "warn"].forEach(function (level) {
  var original = console[level];
  console[level] = function () { window.__reerErrors.push(level + ": " + Array.prototype.join.call(arguments, " ")); return original.apply(console, arguments); };
});
</script>`;

/** Last in <body>: after load, measures every canvas and tries the picker, then writes the findings into the DOM. */
const checkProbe = `<script>
window.addEventListener("load", function () { setTimeout(function () {
  var canvases = Array.prototype.slice.call(document.querySelectorAll("canvas"));
  var painted = {};
  canvases.forEach(function (canvas) {
    var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    var count = 0;
    for (var i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) count++;
    painted[canvas.id] = { pixels: count, width: canvas.width, height: canvas.height, chart: Boolean(window.Chart && Chart.getChart(canvas)) };
  });
  function visible() {
    return Array.prototype.map.call(document.querySelectorAll(".item-view:not([hidden])"), function (view) { return view.getAttribute("data-item"); });
  }
  var select = document.getElementById("item-select");
  var before = visible();
  var height = document.documentElement.scrollHeight;
  var changedSegments = document.querySelectorAll(".item-view:not([hidden]) .seg.changed").length;
  select.value = select.options[1].value;
  select.dispatchEvent(new Event("change"));
  var after = visible();
  var report = {
    painted: painted, before: before, after: after, switchedTo: select.options[1].value, changedSegments: changedSegments,
    errors: window.__reerErrors,
    resources: performance.getEntriesByType("resource").map(function (entry) { return entry.name; }),
    height: height
  };
  var out = document.createElement("pre");
  out.id = "browser-check";
  out.hidden = true;
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
}, 100); });
</script>`;

type BrowserReport = {
    painted: Record<string, { pixels: number; width: number; height: number; chart: boolean }>;
    before: string[];
    after: string[];
    switchedTo: string;
    changedSegments: number;
    errors: string[];
    resources: string[];
    height: number;
};

function readReport(dom: string): BrowserReport {
    const match = /<pre id="browser-check" hidden="">([\s\S]*?)<\/pre>/.exec(dom);
    if (match == null)
        throw new Error(`the check script left no result; the DOM ends with: ${dom.slice(-500)}`);
    const text = match[1]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, "\u00a0").replace(/&amp;/g, "&");
    return JSON.parse(text) as BrowserReport;
}

describe.skipIf(!enabled)("reer report in headless Chromium", () => {
    it("draws every chart without errors, fetches nothing, and switches items", async () => {
        expect(chromiumAvailable(), `no browser at ${chromiumPath}: apt-get install -y chromium, or set REER_CHROMIUM`).toBe(true);
        const dir = mkdtempSync(path.join(tmpdir(), "reer-report-browser-"));
        const records = sampleTrace();
        const html = renderReport(records, {
            source: "examples/traces.jsonl",
            generatedAt: new Date("2025-06-01T12:00:00Z"),
            tokens: fakeTokenComparison(records[2]!)
        });
        const page = path.join(dir, "report.html");
        const probed = path.join(dir, "report-probed.html");
        writeFileSync(page, html);
        // Replacer functions, so "$" in the page is never read as a replacement pattern.
        writeFileSync(probed, html.replace("<head>", () => `<head>${errorProbe}`).replace(/<\/body>\s*<\/html>\s*$/, () => `${checkProbe}</body></html>\n`));
        const canvasIds = [...html.matchAll(/<canvas id="([^"]+)"/g)].map((match) => match[1]!);
        expect(canvasIds.length).toBeGreaterThanOrEqual(10);

        const dom = await dumpDom(probed);
        const report = readReport(dom.stdout);
        expect(report.errors).toEqual([]);
        expect(dom.stderr).not.toMatch(/Uncaught|CONSOLE.*error/i);
        expect(report.resources).toEqual([]);
        expect(Object.keys(report.painted).sort()).toEqual([...canvasIds].sort());
        for (const id of canvasIds) {
            const canvas = report.painted[id]!;
            expect(canvas.chart, `${id} has a chart`).toBe(true);
            expect(canvas.width * canvas.height, `${id} has a size`).toBeGreaterThan(0);
            expect(canvas.pixels, `${id} is drawn`).toBeGreaterThan(200);
        }
        expect(report.before).toEqual(["2"]); // ex-bread: the largest improvement
        expect(report.changedSegments).toBe(3);
        expect(report.after).toEqual([report.switchedTo]);

        const shotStarted = Date.now();
        mkdirSync(artifacts, { recursive: true });
        const png = path.join(artifacts, "report.png");
        await screenshot(page, png, { width: 1280, height: Math.min(9000, Math.max(2400, report.height)) });
        console.log(`chromium: DOM check ${dom.ms} ms, screenshot ${Date.now() - shotStarted} ms (${png})`);
    });
});
