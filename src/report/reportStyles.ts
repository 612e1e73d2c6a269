/** The report's stylesheet: system fonts only (nothing to fetch), light and print-friendly. */
export const reportStyles = `
:root {
  --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --panel: #ffffff; --page: #f1f5f9;
  --accent: #2563eb; --good: #16a34a; --bad: #dc2626; --warn: #d97706;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
header.top { background: #0f172a; color: #e2e8f0; padding: 20px 32px 18px; }
header.top h1 { margin: 0 0 2px; font-size: 22px; font-weight: 650; letter-spacing: -0.01em; }
header.top h1 .source { font-weight: 400; color: #94a3b8; }
header.top .sub { margin: 0 0 14px; color: #94a3b8; font-size: 13px; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 6px 28px; margin: 0; }
.facts div { display: flex; gap: 10px; min-width: 0; }
.facts dt { color: #94a3b8; min-width: 118px; flex: none; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { position: sticky; top: 0; z-index: 2; background: rgba(241,245,249,0.94); border-bottom: 1px solid var(--line);
  padding: 8px 32px; display: flex; gap: 18px; font-size: 13px; backdrop-filter: blur(4px); }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { padding: 20px 32px 40px; max-width: 1400px; margin: 0 auto; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px; margin-bottom: 18px; }
@media (min-width: 1500px) { .grid.four { grid-template-columns: repeat(4, minmax(0, 1fr)); } }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px 12px;
  box-shadow: 0 1px 2px rgba(15,23,42,0.04); min-width: 0; }
h2 { font-size: 16px; margin: 28px 0 10px; font-weight: 650; }
h2:first-child { margin-top: 0; }
.card h3 { font-size: 14px; margin: 0 0 2px; font-weight: 600; }
.caption { color: var(--muted); font-size: 12.5px; margin: 0 0 10px; }
.chart { position: relative; height: 280px; }
.chart.tall { height: 340px; }
.chart.small { height: 210px; }
.empty { color: var(--muted); font-style: italic; margin: 24px 0; text-align: center; }
.item-card { padding: 18px 20px; }
.picker { display: flex; align-items: center; gap: 10px; margin-bottom: 14px; flex-wrap: wrap; }
.picker select { font: inherit; padding: 5px 8px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff; max-width: 100%; }
.picker .caption { margin: 0; }
.item-view h3 { font-size: 18px; margin: 4px 0 8px; overflow-wrap: anywhere; }
.item-view h4 { font-size: 14px; margin: 20px 0 6px; }
.status { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 8px; border-radius: 999px; vertical-align: middle;
  text-transform: uppercase; letter-spacing: 0.04em; }
.status-done { background: #dcfce7; color: #166534; }
.status-skipped { background: #fef3c7; color: #92400e; }
.status-failed { background: #fee2e2; color: #991b1b; }
.item-facts { display: flex; flex-wrap: wrap; gap: 4px 26px; margin: 0 0 10px; }
.item-facts div { display: flex; gap: 8px; }
.item-facts dt { color: var(--muted); }
.item-facts dd { margin: 0; }
pre.text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.55 var(--mono); }
details.x { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; background: #f8fafc; }
details.x summary { cursor: pointer; color: var(--muted); }
details.x pre { margin-top: 6px; }
.traj { border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.traj-head, .seg { display: grid; grid-template-columns: 34px minmax(0, 1fr) minmax(0, 1fr); }
.traj-head { background: #f8fafc; color: var(--muted); font-size: 12px; font-weight: 600; border-bottom: 1px solid var(--line); }
.traj-head span { padding: 6px 10px; }
.seg { border-bottom: 1px solid var(--line); }
.seg:last-child { border-bottom: 0; }
.seg-no { grid-row: span 2; padding: 8px 0; text-align: center; color: var(--muted); font-size: 12px; background: #f8fafc; border-right: 1px solid var(--line); }
.seg-before, .seg-after, .seg-both { padding: 8px 12px; }
.seg-both { grid-column: 2 / 4; color: #475569; }
.seg.changed .seg-before { background: #fef2f2; border-right: 1px solid #fecaca; }
.seg.changed .seg-after { background: #f0fdf4; }
.seg.changed .seg-no { background: #dbeafe; color: #1d4ed8; font-weight: 700; }
.seg-note { grid-column: 2 / 4; padding: 0 12px 6px; font-size: 11.5px; color: var(--muted); }
.seg.changed .seg-note { color: #1d4ed8; padding-top: 4px; }
.hint { background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 8px; padding: 8px 12px; color: #1e3a8a; font-size: 13px; }
.hint code { display: inline-block; margin-top: 4px; font: 12.5px var(--mono); overflow-wrap: anywhere; }
.warning { background: #fffbeb; border: 1px solid #fde68a; border-radius: 8px; padding: 6px 12px; color: #92400e; font-size: 13px; }
pre.response, pre.tokens { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
pre.tokens { line-height: 1.9; }
.tok { border-radius: 3px; padding: 1px 0; }
.tok:hover { outline: 1px solid var(--ink); }
.y-head { color: var(--muted); background: #f1f5f9; }
.legend { display: flex; align-items: center; gap: 8px; font-size: 12px; color: var(--muted); margin: 0 0 8px; }
.legend-bar { width: 180px; height: 12px; border-radius: 3px; border: 1px solid var(--line);
  background: linear-gradient(90deg, rgba(220,38,38,0.7), rgba(255,255,255,1) 50%, rgba(22,163,74,0.7)); }
.legend-scale { margin-left: 12px; }
footer { color: var(--muted); font-size: 12px; text-align: center; padding: 0 0 30px; }
@media print { nav.toc { display: none; } .card { break-inside: avoid; } }
`;
