/**
 * The replay's HTML report: one self-contained page (inline CSS and SVG, no script, nothing
 * loaded from the network) with the index, VIX and drawdown charted over coloured operating-state
 * bands, a marker per transition whose tooltip gives its reason, and the tables of the summary.
 */
import type { OperatingState } from '../state/contracts.js';
import type { ReplayResult } from './run.js';
import { toTimeline } from './run.js';

/** Fill colour of each state's band, and the stronger colour of its markers. */
export const STATE_COLOURS: Readonly<Record<OperatingState, { readonly band: string; readonly mark: string }>> = Object.freeze({
  AGGRESSIVE: { band: '#d9f2dc', mark: '#1b7f3a' },
  BALANCED: { band: '#e6ecf5', mark: '#3a5a8c' },
  DEFENSIVE: { band: '#f8dcdc', mark: '#b42323' },
});

const WIDTH = 1100;
const MARGIN_LEFT = 64;
const MARGIN_RIGHT = 16;
const PANEL_GAP = 34;
const FIRST_PANEL_TOP = 22;
const PANELS = [
  { key: 'spx', title: 'S&P 500 close', height: 260 },
  { key: 'vix', title: 'VIX close', height: 150 },
  { key: 'drawdown', title: 'Drawdown from peak', height: 130 },
] as const;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function fmt(n: number, digits = 2): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** "Nice" axis ticks covering [min, max]. */
function niceTicks(min: number, max: number, count: number): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e9) / 1e9);
  return ticks;
}

/** The SVG chart alone (also embedded in {@link renderReport}). */
export function renderChart(result: ReplayResult): string {
  const { days, stateByDay } = result;
  const x0 = days[0]!.day.dateMs;
  const x1 = Math.max(days[days.length - 1]!.day.dateMs, x0 + 86_400_000);
  const plotWidth = WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
  const xOf = (ms: number): number => MARGIN_LEFT + ((ms - x0) / (x1 - x0)) * plotWidth;
  const totalHeight = PANELS.reduce((h, p) => h + p.height + PANEL_GAP, 0) + 24;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" id="replay-chart" class="replay-chart" viewBox="0 0 ${WIDTH} ${totalHeight}" width="${WIDTH}" height="${totalHeight}" role="img" aria-label="S&amp;P 500, VIX and drawdown with operating-state bands">`,
  );
  const series = {
    spx: days.map((d) => d.day.close),
    vix: days.map((d) => d.day.vix),
    drawdown: days.map((d) => -d.metrics.drawdownPct * 100),
  };
  let top = FIRST_PANEL_TOP;
  const spxY: number[] = [];
  for (const panel of PANELS) {
    const values = series[panel.key];
    let min = Math.min(...values);
    let max = Math.max(...values);
    if (panel.key === 'drawdown') max = 0;
    if (panel.key === 'vix') min = 0;
    const pad = (max - min) * 0.05 || 1;
    const lo = panel.key === 'vix' ? 0 : min - pad;
    const hi = panel.key === 'drawdown' ? 0 : max + pad;
    const yOf = (v: number): number => top + panel.height - ((v - lo) / (hi - lo)) * panel.height;
    parts.push(`<g class="panel" data-panel="${panel.key}">`);
    // State bands: one rect per run of equal state.
    let runStart = 0;
    for (let i = 1; i <= days.length; i++) {
      if (i === days.length || stateByDay[i] !== stateByDay[runStart]) {
        const state = stateByDay[runStart] ?? result.initialState;
        const left = xOf(days[runStart]!.day.dateMs);
        const right = i === days.length ? xOf(x1) : xOf(days[i]!.day.dateMs);
        parts.push(
          `<rect class="state-band" data-state="${state}" x="${left.toFixed(1)}" y="${top}" width="${Math.max(0.5, right - left).toFixed(1)}" height="${panel.height}" fill="${STATE_COLOURS[state].band}"/>`,
        );
        runStart = i;
      }
    }
    for (const tick of niceTicks(lo, hi, 4)) {
      const y = yOf(tick);
      const label = panel.key === 'drawdown' ? `${fmt(tick, 0)}%` : fmt(tick, 0);
      parts.push(`<line class="grid" x1="${MARGIN_LEFT}" x2="${WIDTH - MARGIN_RIGHT}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}"/>`);
      parts.push(`<text class="axis" x="${MARGIN_LEFT - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${label}</text>`);
    }
    const points = values.map((v, i) => `${xOf(days[i]!.day.dateMs).toFixed(1)},${yOf(v).toFixed(1)}`);
    if (panel.key === 'spx') for (const v of values) spxY.push(yOf(v));
    if (panel.key === 'drawdown') {
      parts.push(`<path class="series area" data-series="drawdown" d="M${xOf(x0).toFixed(1)},${yOf(0).toFixed(1)} L${points.join(' L')} L${xOf(days[days.length - 1]!.day.dateMs).toFixed(1)},${yOf(0).toFixed(1)} Z"/>`);
    } else {
      parts.push(`<polyline class="series line" data-series="${panel.key}" points="${points.join(' ')}"/>`);
    }
    parts.push(`<text class="panel-title" x="${MARGIN_LEFT}" y="${top - 7}">${escapeHtml(panel.title)}</text>`);
    parts.push(`<rect class="frame" x="${MARGIN_LEFT}" y="${top}" width="${plotWidth}" height="${panel.height}"/>`);
    parts.push('</g>');
    top += panel.height + PANEL_GAP;
  }
  const chartBottom = top - PANEL_GAP;
  // Year ticks along the bottom.
  const firstYear = new Date(x0).getUTCFullYear();
  const lastYear = new Date(x1).getUTCFullYear();
  for (let year = firstYear + 1; year <= lastYear; year++) {
    const x = xOf(Date.UTC(year, 0, 1));
    parts.push(`<line class="year" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${FIRST_PANEL_TOP}" y2="${chartBottom}"/>`);
    parts.push(`<text class="axis" x="${x.toFixed(1)}" y="${chartBottom + 16}" text-anchor="middle">${year}</text>`);
  }
  // One marker per transition: a line across the panels and a dot on the index line.
  const dayIndexByDate = new Map(days.map((d, i) => [d.day.date, i]));
  toTimeline(result.transitions).forEach((entry, n) => {
    const t = result.transitions[n]!;
    const i = dayIndexByDate.get(entry.at);
    const x = xOf(t.at);
    const y = i === undefined ? FIRST_PANEL_TOP : spxY[i]!;
    const colour = STATE_COLOURS[entry.to].mark;
    const tooltip = `${entry.at} ${entry.from} → ${entry.to} (${entry.cause}): ${entry.reason}`;
    parts.push(
      `<g class="transition-marker" data-index="${n}" data-at="${entry.at}" data-from="${entry.from}" data-to="${entry.to}" data-cause="${escapeHtml(entry.cause)}">` +
        `<title>${escapeHtml(tooltip)}</title>` +
        `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${FIRST_PANEL_TOP}" y2="${chartBottom}" stroke="${colour}" class="marker-line"/>` +
        `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="${colour}" class="marker-dot"/>` +
        `</g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function pct(n: number): string {
  return `${(n * 100).toFixed(1)}%`;
}

/**
 * The whole report page. Everything is inline; tooltips are SVG `<title>` elements, so the page
 * needs no script.
 */
export function renderReport(result: ReplayResult, options: { readonly generatedBy?: string } = {}): string {
  const first = result.days[0]!.day;
  const last = result.days[result.days.length - 1]!.day;
  const timeline = toTimeline(result.transitions);
  const totalDays = result.days.length;
  const legend = (Object.keys(STATE_COLOURS) as OperatingState[])
    .map((s) => `<span class="legend-item"><span class="swatch" style="background:${STATE_COLOURS[s].band};border-color:${STATE_COLOURS[s].mark}"></span>${s}</span>`)
    .join(' ');
  const transitionRows = timeline
    .map(
      (t) =>
        `<tr><td>${t.at}</td><td class="state-${t.from}">${t.from}</td><td class="state-${t.to}">${t.to}</td><td>${escapeHtml(t.cause)}</td><td>${escapeHtml(t.reason)}</td></tr>`,
    )
    .join('\n');
  const stateRows = (Object.keys(result.tradingDaysInState) as OperatingState[])
    .map((s) => `<tr><td class="state-${s}">${s}</td><td>${result.tradingDaysInState[s]}</td><td>${pct(result.tradingDaysInState[s] / totalDays)}</td></tr>`)
    .join('\n');
  const laneRows = result.lanes
    .map(
      (l) =>
        `<tr><td>P${l.priority}</td><td>${l.dispatched}</td><td>${l.handled}</td><td>${l.dropped}</td><td>${fmt(l.latencyP50Ms)}</td><td>${fmt(l.latencyP99Ms)}</td><td>${fmt(l.latencyMaxMs)}</td></tr>`,
    )
    .join('\n');
  const s = result.skipped;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qts-reactive replay ${first.date} – ${last.date}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; margin: 24px auto; max-width: 1140px; padding: 0 12px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #5b6475; margin: 0 0 12px; }
.legend-item { margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 14px; height: 14px; border: 2px solid; border-radius: 3px; vertical-align: -2px; margin-right: 5px; }
svg.replay-chart { max-width: 100%; height: auto; background: #fff; }
svg .frame { fill: none; stroke: #9aa3b2; stroke-width: 1; }
svg .grid { stroke: #c9d0db; stroke-width: 0.6; stroke-dasharray: 2 3; }
svg .year { stroke: #b5bcc8; stroke-width: 0.6; }
svg .axis { font-size: 11px; fill: #5b6475; }
svg .panel-title { font-size: 12px; font-weight: 600; fill: #1d2330; }
svg .series.line { fill: none; stroke: #1d2330; stroke-width: 1.2; }
svg [data-series="vix"] { stroke: #7a3fb0; }
svg .series.area { fill: #c0392b; fill-opacity: 0.35; stroke: #c0392b; stroke-width: 0.8; }
svg .marker-line { stroke-width: 1.2; stroke-dasharray: 4 3; opacity: 0.8; }
svg .transition-marker:hover .marker-line { stroke-width: 2.5; opacity: 1; }
svg .marker-dot { stroke: #fff; stroke-width: 1.5; }
table { border-collapse: collapse; margin: 4px 0; }
th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e1e5ec; vertical-align: top; }
th { background: #f3f5f8; }
#transitions td:first-child { white-space: nowrap; }
td.state-AGGRESSIVE { color: ${STATE_COLOURS.AGGRESSIVE.mark}; font-weight: 600; }
td.state-BALANCED { color: ${STATE_COLOURS.BALANCED.mark}; font-weight: 600; }
td.state-DEFENSIVE { color: ${STATE_COLOURS.DEFENSIVE.mark}; font-weight: 600; }
</style>
</head>
<body>
<h1>Operating-state replay, ${first.date} – ${last.date}</h1>
<p class="meta">${totalDays} trading days from <code>${escapeHtml(result.spxFile)}</code> and <code>${escapeHtml(result.vixFile)}</code>; initial state ${result.initialState}; target CAGR ${pct(result.targetCagr)}; ${timeline.length} transitions.${options.generatedBy === undefined ? '' : ` Generated by ${escapeHtml(options.generatedBy)}.`}</p>
<p>${legend} <span class="legend-item">Dashed lines: transitions (hover for the reason).</span></p>
${renderChart(result)}
<h2>Transitions</h2>
<table id="transitions"><thead><tr><th>date</th><th>from</th><th>to</th><th>cause</th><th>reason</th></tr></thead>
<tbody>
${transitionRows}
</tbody></table>
<h2>Trading days per state</h2>
<table id="days-per-state"><thead><tr><th>state</th><th>days</th><th>share</th></tr></thead>
<tbody>
${stateRows}
</tbody></table>
<h2>Lanes</h2>
<table id="lanes"><thead><tr><th>lane</th><th>dispatched</th><th>handled</th><th>dropped</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th></tr></thead>
<tbody>
${laneRows}
</tbody></table>
<h2>Skipped rows</h2>
<p>S&amp;P 500: ${s.spxEmpty} with an empty close, ${s.spxUnmatched} without a VIX close on their date, ${s.spxOutsideRange} outside the VIX file's dates.
VIX: ${s.vixEmpty} with an empty close, ${s.vixUnmatched} without an S&amp;P close on their date, ${s.vixOutsideRange} outside the S&amp;P file's dates.</p>
</body>
</html>
`;
}
