import { describe, it, expect } from 'vitest';
import { escapeHtml, renderReport } from '../../src/replay/report.js';
import { runReplay } from '../../src/replay/run.js';
import { createProgressBar, formatSummary } from '../../src/replay/summary.js';
import { recordingPipeline, smallSeries } from './helpers.js';

async function smallResult() {
  return runReplay({ ...smallSeries(), pipeline: recordingPipeline().factory });
}

describe('renderReport', () => {
  it('is one self-contained page: no script, no link, nothing fetched', async () => {
    const html = renderReport(await smallResult());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/(src|href)=/i);
    // The only URL is the SVG namespace, which is an identifier, not a fetch.
    expect(html.match(/https?:\/\/[^"\s]+/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('draws the three series, the state bands and one marker per transition with its reason', async () => {
    const result = await smallResult();
    const html = renderReport(result);
    expect(html).toContain('data-series="spx"');
    expect(html).toContain('data-series="vix"');
    expect(html).toContain('data-series="drawdown"');
    // BALANCED for 2 days then DEFENSIVE, in each of the three panels.
    expect(html.match(/class="state-band" data-state="BALANCED"/g)).toHaveLength(3);
    expect(html.match(/class="state-band" data-state="DEFENSIVE"/g)).toHaveLength(3);
    const markers = html.match(/<g class="transition-marker"[^>]*><title>[^<]*<\/title>/g) ?? [];
    expect(markers).toHaveLength(result.transitions.length);
    expect(markers[0]).toContain('data-at="2020-01-06" data-from="BALANCED" data-to="DEFENSIVE"');
    expect(markers[0]).toContain('<title>2020-01-06 BALANCED → DEFENSIVE (RULE): vix 31 &gt; 30</title>');
  });

  it('escapes what it embeds', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});

describe('formatSummary', () => {
  it('lists the period, each transition with cause and reason, days per state, lanes and skipped rows', async () => {
    const text = formatSummary(await smallResult());
    expect(text).toContain('2020-01-01 … 2020-01-08, 5 trading days');
    expect(text).toMatch(/2020-01-06 {2}BALANCED +→ DEFENSIVE +RULE +vix 31 > 30/);
    expect(text).toMatch(/BALANCED +2 +40\.0%/);
    expect(text).toMatch(/DEFENSIVE +3 +60\.0%/);
    expect(text).toMatch(/P1 +10 +10 +0/);
    expect(text).toContain('index: 1 with an empty close (market holidays), 1 with no VIX close that date, 1 outside the VIX file');
    expect(text).not.toContain('p99'); // latencies only with intraday ticks
  });
});

describe('createProgressBar', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, columns: 80, write: (c: string) => chunks.push(c) } };
  };

  it('draws nothing before the delay, then a bar, and clears it', () => {
    let t = 0;
    const { chunks, stream } = sink(true);
    const bar = createProgressBar(stream, () => t, 1000);
    bar.update(1, 10);
    expect(chunks).toEqual([]);
    t = 1500;
    bar.update(5, 10);
    expect(chunks.at(-1)).toMatch(/^\r {2}replaying \[#+\.+\] {2}50% 5\/10 days$/);
    bar.finish();
    expect(chunks.at(-1)).toBe('\r\x1b[2K');
  });

  it('draws nothing when the stream is not a terminal', () => {
    const { chunks, stream } = sink(false);
    const bar = createProgressBar(stream, () => 10_000, 0);
    bar.update(5, 10);
    bar.finish();
    expect(chunks).toEqual([]);
  });
});
