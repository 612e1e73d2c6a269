// @ts-check
/**
 * The report page's own script, inlined by renderReport after Chart.js's UMD build: draws
 * the charts from the embedded JSON (#reer-report-data) and wires the item picker.
 * Plain ES5-style browser code, run as a classic script; the JSDoc types are checked by
 * `tsc -p tsconfig.client.json` and change nothing at run time.
 * Animations are off: the charts are finished as soon as the script has run, which is
 * what a screenshot or a print sees.
 */
(function () {
  "use strict";
  /** @typedef {import("../reportData.js").ReportData} ReportData */
  /** @typedef {{ x: number, y: number, item: number }} ItemPoint */

  /** Chart.js's UMD build, inlined before this script, defines the global Chart. */
  var Chart = /** @type {typeof import("chart.js").Chart} */ (/** @type {any} */ (window).Chart);
  /** @type {ReportData} */
  var data = JSON.parse(/** @type {string} */ (/** @type {HTMLElement} */ (document.getElementById("reer-report-data")).textContent));
  var items = data.items;
  var colours = { before: "#94a3b8", after: "#2563eb", good: "#16a34a", bad: "#dc2626", warn: "#d97706", ink: "#0f172a", grid: "#e2e8f0" };
  var lines = ["#2563eb", "#0891b2", "#7c3aed", "#db2777", "#ea580c", "#65a30d", "#0d9488", "#9333ea", "#c2410c", "#4f46e5", "#be123c", "#15803d"];

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#475569";
  Chart.defaults.borderColor = colours.grid;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.tooltip.displayColors = false;
  // Few items would otherwise give slabs as wide as the chart.
  Chart.defaults.datasets.bar.maxBarThickness = 56;

  /**
   * @template {import("chart.js").ChartType} T
   * @param {string} id
   * @param {import("chart.js").ChartConfiguration<T>} config
   */
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(/** @type {HTMLCanvasElement} */ (canvas), config);
  }
  /** @param {number | null | undefined} value @param {number} [digits] */
  function fixed(value, digits) { return value == null ? "n/a" : value.toFixed(digits == null ? 4 : digits); }
  /** @param {string} text @param {number} max */
  function clip(text, max) { return text.length > max ? text.slice(0, max - 1) + "\u2026" : text; }
  /** @param {number} raw */
  function niceStep(raw) {
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var mantissa = raw / power;
    return (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10) * power;
  }
  /**
   * @param {string} title
   * @param {Record<string, unknown>} [extra]
   * @returns {any} a scale's options
   */
  function axis(title, extra) {
    /** @type {Record<string, unknown>} */
    var scale = { title: { display: true, text: title } };
    for (var key in extra) scale[key] = extra[key];
    return scale;
  }

  // Item picker: every embedded item has a server-rendered view; the picker shows one.
  var select = /** @type {HTMLSelectElement | null} */ (document.getElementById("item-select"));
  /** @type {Record<string, boolean>} */
  var embedded = {};
  var views = /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll(".item-view"));
  for (var v = 0; v < views.length; v++) embedded[/** @type {string} */ (views[v].getAttribute("data-item"))] = true;
  /** @param {number | string} index */
  function showItem(index) {
    for (var i = 0; i < views.length; i++) views[i].hidden = views[i].getAttribute("data-item") !== String(index);
    if (select) select.value = String(index);
  }
  /** @param {number} index */
  function openItem(index) {
    if (!embedded[String(index)]) return;
    showItem(index);
    /** @type {HTMLElement} */ (document.getElementById("item")).scrollIntoView({ block: "start" });
  }
  if (select) select.addEventListener("change", function () { showItem(/** @type {HTMLSelectElement} */ (select).value); });

  // Score before vs after, one point per scored item, with the no-change diagonal.
  /** @type {ItemPoint[]} */
  var points = [];
  var low = Infinity, high = -Infinity;
  items.forEach(function (item, index) {
    if (item.before == null || item.after == null) return;
    points.push({ x: item.before, y: item.after, item: index });
    low = Math.min(low, item.before, item.after);
    high = Math.max(high, item.before, item.after);
  });
  // Both axes share one range with round ends, so the diagonal is the true y = x.
  var span = Math.max(high - low, 0.02);
  var tick = niceStep(span / 5);
  low = Math.floor((low - span * 0.04) / tick) * tick;
  high = Math.ceil((high + span * 0.04) / tick) * tick;
  draw("chart-scatter", {
    type: "scatter",
    data: { datasets: [
      { label: "item", data: points, pointRadius: 4.5, pointHoverRadius: 7,
        // Translucent, so dense clusters of a large trace read as darker.
        backgroundColor: points.map(function (p) { return p.y < p.x - 1e-9 ? "rgba(37,99,235,0.7)" : p.y > p.x + 1e-9 ? "rgba(220,38,38,0.7)" : "rgba(100,116,139,0.6)"; }) },
      { type: "line", label: "no change", data: [{ x: low, y: low }, { x: high, y: high }],
        borderColor: colours.before, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0 }
    ] },
    options: {
      scales: {
        x: axis("before: clipped mean NLL of y under z0", { type: "linear", min: low, max: high, ticks: { stepSize: tick } }),
        y: axis("after: under the final z", { min: low, max: high, ticks: { stepSize: tick } })
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          filter: function (context) { return context.datasetIndex === 0; },
          callbacks: {
            title: function (context) { return items[/** @type {ItemPoint} */ (context[0].raw).item].id; },
            label: function (context) {
              var item = items[/** @type {ItemPoint} */ (context.raw).item];
              return [fixed(item.before) + " \u2192 " + fixed(item.after) + " (" + item.accepted + " of " + item.steps + " steps accepted)", clip(item.xPreview, 70)];
            }
          }
        }
      },
      onClick: function (event, elements) {
        for (var i = 0; i < elements.length; i++)
          if (elements[i].datasetIndex === 0) { openItem(points[elements[i].index].item); return; }
      }
    }
  });

  // Mean objective drop at each step index.
  var gain = data.stepGain;
  draw("chart-step-gain", {
    type: "bar",
    data: { labels: gain.step, datasets: [{ label: "mean drop", data: gain.meanGain, backgroundColor: colours.after, borderRadius: 3 }] },
    options: {
      scales: { x: axis("step"), y: axis("mean drop of " + data.objective) },
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        title: function (context) { return "step " + context[0].label; },
        label: function (context) {
          var i = context.dataIndex;
          return ["mean drop " + fixed(gain.meanGain[i]), gain.accepted[i] + " of " + gain.items[i] + " item(s) accepted a rewrite"];
        }
      } } }
    }
  });

  // Running best objective per item (most improved ones) and the mean over all items.
  var best = data.runningBest;
  /** @type {import("chart.js").ChartDataset<"line", number[]>[]} */
  var bestSets = best.series.map(function (series, k) {
    return { label: items[series.item].id, data: series.values, borderColor: lines[k % lines.length], backgroundColor: lines[k % lines.length],
      borderWidth: 1.5, pointRadius: 2, stepped: false, tension: 0 };
  });
  bestSets.push({ label: "mean of all items", data: best.mean, borderColor: colours.ink, backgroundColor: colours.ink, borderWidth: 3, borderDash: [5, 3], pointRadius: 0 });
  draw("chart-running-best", {
    type: "line",
    data: { labels: best.mean.map(function (_, i) { return i === 0 ? "z0" : String(i); }), datasets: bestSets },
    options: {
      interaction: { mode: "nearest", intersect: false },
      scales: { x: axis("after step"), y: axis("best " + data.objective) },
      plugins: { legend: { labels: { usePointStyle: true, pointStyle: "line", filter: function (entry) { return entry.text === "mean of all items"; } } },
        tooltip: { callbacks: { label: function (context) { return clip(/** @type {string} */ (context.dataset.label), 40) + ": " + fixed(context.parsed.y); } } } }
    }
  });

  // Acceptance rate by segment position.
  var acceptance = data.acceptance;
  draw("chart-acceptance", {
    type: "bar",
    data: { labels: acceptance.segment.map(function (s) { return String(s + 1); }),
      datasets: [{ label: "accepted", borderRadius: 3, backgroundColor: colours.good,
        data: acceptance.segment.map(function (_, i) { return acceptance.visits[i] ? 100 * acceptance.accepted[i] / acceptance.visits[i] : 0; }) }] },
    options: {
      scales: { x: axis("segment position"), y: axis("rewrites accepted (%)", { min: 0, max: 100 }) },
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        title: function (context) { return "segment " + context[0].label; },
        label: function (context) {
          var i = context.dataIndex;
          return acceptance.accepted[i] + " of " + acceptance.visits[i] + " visit(s) accepted (" + fixed(context.parsed.y, 0) + "%)";
        }
      } } }
    }
  });

  // Length histograms.
  /**
   * @param {string} id
   * @param {ReportData["lengths"]["x"]} histogram
   * @param {string} unit
   * @param {string[]} palette one colour per series
   */
  function histogramChart(id, histogram, unit, palette) {
    draw(id, {
      type: "bar",
      data: { labels: histogram.labels, datasets: histogram.series.map(function (series, k) {
        return { label: series.label, data: series.counts, backgroundColor: palette[k], categoryPercentage: 1, barPercentage: 0.92, maxBarThickness: Infinity };
      }) },
      options: {
        scales: { x: axis(unit, { ticks: { maxRotation: 45, autoSkip: true } }), y: axis("items", { ticks: { precision: 0 } }) },
        plugins: { legend: { display: histogram.series.length > 1 } }
      }
    });
  }
  histogramChart("chart-len-x", data.lengths.x, "characters", [colours.before]);
  histogramChart("chart-len-y", data.lengths.y, "characters", [colours.before]);
  histogramChart("chart-len-ytokens", data.lengths.yTokens, "scored tokens", [colours.warn]);
  histogramChart("chart-len-z", data.lengths.z, "characters", ["rgba(148,163,184,0.75)", "rgba(37,99,235,0.75)"]);

  // Counts by status and what became of the candidates.
  /** @type {Record<string, string>} */
  var statusColour = { done: colours.good, skipped: colours.warn, failed: colours.bad };
  /**
   * @param {string} id
   * @param {ReportData["status"]} counts
   * @param {(label: string) => string} colourOf
   */
  function countChart(id, counts, colourOf) {
    draw(id, {
      type: "bar",
      data: { labels: counts.labels, datasets: [{ data: counts.counts, borderRadius: 3, maxBarThickness: 26, backgroundColor: counts.labels.map(colourOf) }] },
      options: { indexAxis: "y", scales: { x: { ticks: { precision: 0 } } }, plugins: { legend: { display: false } } }
    });
  }
  countChart("chart-status", data.status, function (label) { return statusColour[label] || colours.before; });
  countChart("chart-candidates", data.candidates, function (label) {
    return label === "accepted" ? colours.good : label === "scored, not better" ? colours.after : colours.before;
  });
})();
