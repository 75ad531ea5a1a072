// Renders the panels of docs/examples/grafana-dashboard.json from real scrapes of the Prometheus
// collectors, as a self-contained HTML page (and, with --png, a screenshot of it for the docs).
//
//   npm run build && node scripts/render-dashboard.mjs [--png]
//
// A dispatcher and an operating-state manager run three hours of a simulated session on a virtual
// clock (a calm hour, an hour of bursts with VIX 33, a calm recovery); every 5 virtual seconds the
// registry is scraped through its text exposition, exactly as Prometheus would, and each panel's
// query is evaluated on those scrapes. The page goes to the system's temporary directory, the
// screenshot to docs/images/grafana-dashboard.png.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualAction, VirtualTimeScheduler, timer } from 'rxjs';
import { Registry } from 'prom-client';
import { EventDispatcher, OperatingStateManager, createEvent } from '../dist/index.js';
import { collectDispatcherMetrics, collectOperatingStateMetrics } from '../dist/prometheus/index.js';

const root = new URL('../', import.meta.url);
const dashboard = JSON.parse(readFileSync(new URL('docs/examples/grafana-dashboard.json', root), 'utf8'));
const START = Date.UTC(2020, 2, 9, 13, 30);
const MINUTE = 60_000;
const END = START + 180 * MINUTE;
const SCRAPE_EVERY = 5_000;

// ── the system ──────────────────────────────────────────────────────────────────────────────────
const scheduler = new VirtualTimeScheduler(VirtualAction, START);
scheduler.frame = START;
const dispatcher = new EventDispatcher(
  {
    queues: { p1: { capacity: 2000, batchSize: 50, batchTimeoutMs: 10 }, p3: { capacity: 2000, batchSize: 50 } },
    monitoring: { latencyWindow: 64, alerts: { p1Depth: { warning: 1000, critical: 1600 } } },
  },
  { scheduler },
);
const manager = new OperatingStateManager(
  {
    hysteresis: { aggressive: { minDurationDays: 0.01 }, balanced: { minDurationDays: 0.01 }, defensive: { minDurationDays: 0.01 } },
    cooldownHours: 0.2,
    transitions: { defensiveToBalanced: { minDurationDays: 0.01 } },
  },
  { scheduler },
);
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const stressed = (t) => t >= START + 45 * MINUTE && t < START + 105 * MINUTE;
// Simulated service time (virtual ms): P0 a few ms (up to 12 ms under stress), P1 0.6 ms and P3 20 ms an event.
const serviceMs = { 0: () => (stressed(scheduler.now()) ? 3 + random() * 9 : 1 + random() * 3), 1: (n) => 0.6 * n, 2: () => 0, 3: (n) => 20 * n };
for (const p of [0, 1, 2, 3]) dispatcher.registerHandler(p, (batch) => timer(serviceMs[p](batch.length), scheduler));
void dispatcher.start();

const send = (type, count, payload) => {
  for (let i = 0; i < count; i++) void dispatcher.dispatch(createEvent(type, { payload }, scheduler));
};
const at = (t, work) => scheduler.schedule(work, t - scheduler.now());
for (let t = START; t < END; t += 1000) {
  at(t, () => {
    send('PRICE_TICK', 30, { symbol: 'SPX' });
    send('DASHBOARD_UPDATE', 20, {});
    if ((t - START) % 10_000 === 0) send('FILL_CONFIRMED', 1, { orderId: String(t) });
    // Under stress, every 6 minutes a 20-second burst: 3 000 ticks/s against a P1 that drains ~1 700/s.
    if (stressed(t) && (t - START) % (6 * MINUTE) < 20_000) {
      send('PRICE_TICK', 3000, { symbol: 'SPX' });
      send('DASHBOARD_UPDATE', 150, {});
    }
  });
}
const calm = { drawdownPct: 0.02, vix: 18, consecutiveScalpLosses: 0, dailyLossPct: 0, marketCircuitBreaker: false, consecutiveProfitableDays: 4, cagr: 0.05, targetCagr: 0.08, capitalGrowthPct: 0.05, winRate30d: 0.5 };
for (let t = START + 5 * MINUTE; t < END; t += 5 * MINUTE) {
  at(t, () => manager.evaluateTransition(stressed(t) ? { ...calm, vix: 33, drawdownPct: 0.06, consecutiveProfitableDays: 0 } : { ...calm, vix: t > START + 105 * MINUTE ? 16 : 18 }));
}

// ── scraping ────────────────────────────────────────────────────────────────────────────────────
const registry = new Registry();
collectDispatcherMetrics(dispatcher, { registry });
collectOperatingStateMetrics(manager, { registry });
const parse = (text) => {
  const samples = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) samples.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return samples;
};
const scrapes = [];
for (let t = START; t <= END; t += SCRAPE_EVERY) {
  scheduler.maxFrames = t;
  scheduler.flush();
  scheduler.frame = t;
  scrapes.push({ t, s: parse(await registry.metrics()) });
}
const stopped = dispatcher.stop();
scheduler.maxFrames = END + 10 * MINUTE;
scheduler.flush();
await stopped;

// ── the panels' queries on the scrapes ──────────────────────────────────────────────────────────
const lanes = ['P0', 'P1', 'P2', 'P3'];
const get = (s, key) => s.get(key) ?? 0;
const rate = (key, windowMs = 60_000) =>
  scrapes.map(({ t, s }, i) => {
    const j = Math.max(0, i - windowMs / SCRAPE_EVERY);
    return { t, v: i === 0 ? 0 : (get(s, key) - get(scrapes[j].s, key)) / ((t - scrapes[j].t) / 1000) };
  });
const series = (key) => scrapes.map(({ t, s }) => ({ t, v: get(s, key) }));
const depth = lanes.map((lane) => ({ name: lane, points: series(`qts_lane_depth{lane="${lane}"}`) }));
const drops = [];
for (const lane of lanes) {
  for (const reason of ['evicted', 'collapsed', 'sampled', 'shutdown']) {
    const points = rate(`qts_lane_dropped_total{lane="${lane}",reason="${reason}"}`);
    if (points.some((p) => p.v > 0)) drops.push({ name: `${lane} ${reason}`, points });
  }
}
const p0 = [
  { name: 'P0 p99 (window)', points: series('qts_lane_handler_latency_window_seconds{lane="P0",quantile="0.99"}') },
  { name: 'P0 max (window)', points: series('qts_lane_handler_latency_window_seconds{lane="P0",quantile="1"}') },
  { name: 'P0 budget', points: series('qts_lane_latency_budget_seconds{lane="P0"}'), dashed: true, color: '#f2495c' },
];
const stateOf = ({ s }) => (get(s, 'qts_operating_state{state="AGGRESSIVE"}') ? 'AGGRESSIVE' : get(s, 'qts_operating_state{state="BALANCED"}') ? 'BALANCED' : 'DEFENSIVE');
const degradation = ['NORMAL', 'P3_PAUSED', 'P2_P3_PAUSED', 'CRITICAL_ONLY'];
const timeline = [
  { name: 'state', values: scrapes.map((x) => stateOf(x)) },
  { name: 'trading halted', values: scrapes.map(({ s }) => (get(s, 'qts_operating_state_trading_halted') ? 'HALTED' : 'no')) },
  { name: 'degradation', values: scrapes.map(({ s }) => degradation[get(s, 'qts_dispatcher_degradation_level')]) },
];
const handled = lanes.map((lane) => ({ name: lane, points: rate(`qts_lane_handled_total{lane="${lane}"}`) }));
const alerts = [];
for (const lane of lanes) {
  for (const kind of ['depth', 'backpressure', 'latency']) {
    const points = series(`qts_lane_alert_level{lane="${lane}",kind="${kind}"}`);
    if (points.some((p) => p.v > 0)) alerts.push({ name: `${lane} ${kind}`, points });
  }
}

// ── rendering (a Grafana-like dark theme) ───────────────────────────────────────────────────────
const COLORS = ['#73bf69', '#f2cc0c', '#5794f2', '#ff9830', '#b877d9', '#8ab8ff', '#f2495c', '#96d98d'];
const STATE_COLORS = { AGGRESSIVE: '#73bf69', BALANCED: '#f2cc0c', DEFENSIVE: '#f2495c', no: '#37872d', HALTED: '#c4162a', NORMAL: '#37872d', P3_PAUSED: '#e0b400', P2_P3_PAUSED: '#fa6400', CRITICAL_ONLY: '#c4162a' };
const W = 660;
const H = 250;
const PAD = { l: 58, r: 22, t: 12, b: 26 };
const hhmm = (t) => new Date(t).toISOString().slice(11, 16);
const x = (t) => PAD.l + ((t - START) / (END - START)) * (W - PAD.l - PAD.r);
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const unitText = { short: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(v < 10 && v % 1 ? 1 : 0)), ops: (v) => `${v.toFixed(0)}/s`, s: (v) => `${(v * 1000).toFixed(0)} ms` };

function xAxis() {
  let out = '';
  for (let t = START; t <= END; t += 30 * MINUTE) out += `<text x="${x(t)}" y="${H - 8}" class="tick" text-anchor="middle">${hhmm(t)}</text>`;
  return out;
}

function timeseries(lines, unit) {
  const max = Math.max(1e-9, ...lines.flatMap((l) => l.points.map((p) => p.v))) * 1.1;
  const y = (v) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  let out = '';
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    out += `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.l - 6}" y="${y(v) + 4}" class="tick" text-anchor="end">${unitText[unit](v)}</text>`;
  }
  lines.forEach((line, i) => {
    const color = line.color ?? COLORS[i % COLORS.length];
    const d = line.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join('');
    if (!line.dashed) out += `<path d="${d}L${x(END)},${y(0)}L${x(START)},${y(0)}Z" fill="${color}" opacity="0.10"/>`;
    out += `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${line.dashed ? ' stroke-dasharray="8 6"' : ''}/>`;
  });
  const legend = lines.map((l, i) => `<span><i style="background:${l.color ?? COLORS[i % COLORS.length]}"></i>${escape(l.name)}</span>`).join('');
  return `<svg width="${W}" height="${H}">${out}${xAxis()}</svg><div class="legend">${legend}</div>`;
}

function stateTimeline(rows) {
  const rowH = (H - PAD.t - PAD.b) / rows.length;
  const left = PAD.l + 44;
  const xt = (t) => left + ((t - START) / (END - START)) * (W - PAD.r - left);
  let out = '';
  rows.forEach((row, r) => {
    const top = PAD.t + r * rowH;
    out += `<text x="${left - 6}" y="${top + rowH / 2 + 4}" class="tick" text-anchor="end">${escape(row.name)}</text>`;
    let from = 0;
    for (let i = 1; i <= row.values.length; i++) {
      if (i < row.values.length && row.values[i] === row.values[from]) continue;
      const x0 = xt(scrapes[from].t);
      const x1 = xt(i < row.values.length ? scrapes[i].t : END);
      const value = row.values[from];
      out += `<rect x="${x0}" y="${top + 4}" width="${Math.max(1, x1 - x0)}" height="${rowH - 8}" fill="${STATE_COLORS[value] ?? '#555'}" opacity="0.85"/>`;
      if (x1 - x0 > 70) out += `<text x="${(x0 + x1) / 2}" y="${top + rowH / 2 + 4}" class="label" text-anchor="middle">${escape(value)}</text>`;
      from = i;
    }
  });
  let axis = '';
  for (let t = START; t <= END; t += 30 * MINUTE) axis += `<text x="${xt(t)}" y="${H - 8}" class="tick" text-anchor="middle">${hhmm(t)}</text>`;
  return `<svg width="${W}" height="${H}">${out}${axis}</svg><div class="legend"></div>`;
}

const bodies = {
  1: timeseries(depth, 'short'),
  2: timeseries(drops, 'ops'),
  3: timeseries(p0, 's'),
  4: stateTimeline(timeline),
  5: timeseries(handled, 'ops'),
  6: timeseries(alerts, 'short'),
};
const panels = dashboard.panels
  .map((panel) => `<div class="panel"><div class="title">${escape(panel.title)}</div>${bodies[panel.id] ?? ''}</div>`)
  .join('\n');
const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escape(dashboard.title)}</title><style>
body{margin:0;background:#111217;color:#ccccdc;font:13px Inter,Helvetica,Arial,sans-serif}
header{padding:12px 16px;font-size:16px;color:#fff;border-bottom:1px solid #22252b}
header small{color:#8e8e8e;font-size:12px;margin-left:12px}
.grid-panels{display:grid;grid-template-columns:repeat(2,${W + 16}px);gap:8px;padding:8px}
.panel{background:#181b1f;border:1px solid #22252b;border-radius:3px;padding:6px 8px 8px}
.title{font-weight:500;color:#d8d9da;margin:2px 0 4px}
.tick{fill:#8e8e8e;font-size:11px}.label{fill:#111;font-size:11px;font-weight:600}
.grid{stroke:#2c3235;stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:11px;min-height:14px}
.legend i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
</style></head><body><header>${escape(dashboard.title)}<small>rendered from ${scrapes.length} scrapes of the qts-reactive collectors, every 5 s of a simulated 3-hour session (virtual clock) · ${hhmm(START)}–${hhmm(END)} UTC</small></header>
<div class="grid-panels">${panels}</div></body></html>`;
const htmlFile = join(tmpdir(), 'qts-reactive-grafana-dashboard.html');
writeFileSync(htmlFile, html);
console.log(`wrote ${htmlFile} (${scrapes.length} scrapes; final state ${manager.currentState}; transitions ${JSON.stringify(manager.getSnapshot().transitionReason)})`);

if (process.argv.includes('--png')) {
  // Headless Chromium from the npm package @sparticuz/chromium (no system browser needed).
  const { default: chromium } = await import('@sparticuz/chromium');
  const { chromium: playwright } = await import('playwright-core');
  const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
  const page = await browser.newPage({ viewport: { width: 2 * (W + 16) + 24, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`file://${htmlFile}`);
  const pngFile = fileURLToPath(new URL('docs/images/grafana-dashboard.png', root));
  await page.screenshot({ path: pngFile, fullPage: true });
  await browser.close();
  console.log(`wrote ${pngFile}`);
}
