import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { renderReport } from '../../src/replay/report.js';
import { createSystemPipeline } from '../../src/replay/pipeline.js';
import { runReplay, toTimeline, type ReplayResult } from '../../src/replay/run.js';
import { shippedSeries } from './helpers.js';
import { CHROMIUM_ARGS, resolveChromium } from '../browser/chromium.js';

const artifacts = new URL('../../test-artifacts/', import.meta.url);

describe('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let result: ReplayResult;
  let reportUrl: string;

  beforeAll(async () => {
    result = await runReplay({ ...shippedSeries(), pipeline: createSystemPipeline });
    mkdirSync(artifacts, { recursive: true });
    const file = new URL('replay-report.html', artifacts);
    writeFileSync(file, renderReport(result, { generatedBy: 'qts-reactive replay' }));
    reportUrl = pathToFileURL(fileURLToPath(file)).href;
    const resolved = await resolveChromium();
    const launchStarted = performance.now();
    // Playwright gives every launch a fresh temporary profile (user data dir).
    browser = await chromium.launch({ executablePath: resolved.executablePath, args: [...CHROMIUM_ARGS] });
    const launchMs = performance.now() - launchStarted;
    console.log(
      `chromium from ${resolved.source}: ${resolved.unpackMs > 0 ? `unpacked in ${resolved.unpackMs.toFixed(0)} ms, ` : 'already unpacked, '}launched in ${launchMs.toFixed(0)} ms (${resolved.executablePath})`,
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders the chart, one marker per transition with its reason, and loads nothing from the network', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 980 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(reportUrl);

    const chart = page.locator('svg#replay-chart');
    await expect(chart.isVisible()).resolves.toBe(true);
    const box = await chart.boundingBox();
    expect(box!.width).toBeGreaterThan(800);
    expect(box!.height).toBeGreaterThan(400);
    for (const series of ['spx', 'vix', 'drawdown']) {
      const shape = await page.locator(`[data-series="${series}"]`).boundingBox();
      expect(shape!.width, series).toBeGreaterThan(700);
      expect(shape!.height, series).toBeGreaterThan(20);
    }
    expect(await page.locator('rect.state-band').count()).toBeGreaterThanOrEqual(3);

    const timeline = toTimeline(result.transitions);
    expect(timeline.length).toBeGreaterThan(0);
    const markers = page.locator('g.transition-marker');
    expect(await markers.count()).toBe(timeline.length);
    for (let i = 0; i < timeline.length; i++) {
      const marker = markers.nth(i);
      expect(await marker.getAttribute('data-at')).toBe(timeline[i]!.at);
      expect(await marker.locator('title').textContent()).toContain(timeline[i]!.reason);
      const dot = await marker.locator('circle').boundingBox();
      expect(dot, `marker ${i} is drawn`).not.toBeNull();
      expect(dot!.width).toBeGreaterThan(4);
    }
    expect(await page.locator('#transitions tbody tr').count()).toBe(timeline.length);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);

    const shot = fileURLToPath(new URL('replay-report.png', artifacts));
    await page.screenshot({ path: shot, fullPage: false });
    if (process.env['UPDATE_DOC_IMAGES'] === '1') {
      mkdirSync(new URL('../../docs/images/', import.meta.url), { recursive: true });
      copyFileSync(shot, fileURLToPath(new URL('../../docs/images/replay-report.png', import.meta.url)));
    }
    await page.close();
  });
});
