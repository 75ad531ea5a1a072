import { describe, it, expect } from 'vitest';
import { deriveMetrics, joinDailySeries } from '../../src/replay/metrics.js';
import { planIntradayBursts, seededRandom, SESSION_OPEN_MS, SESSION_CLOSE_MS } from '../../src/replay/events.js';
import { runReplay, toTimeline } from '../../src/replay/run.js';
import { recordingPipeline, smallSeries } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('runReplay on a virtual clock', () => {
  it('starts the clock at 00:00 UTC of day 0 and builds the pipeline once', async () => {
    const rec = recordingPipeline();
    await runReplay({ ...smallSeries(), pipeline: rec.factory });
    expect(rec.startedAt).toEqual([Date.UTC(2020, 0, 1)]);
    expect(rec.contexts[0]!.stateFile).toBeNull();
  });

  it('dispatches each day’s six events in lane order, stamped 21:00 UTC of that date', async () => {
    const rec = recordingPipeline();
    await runReplay({ ...smallSeries(), pipeline: rec.factory });
    const dates = ['2020-01-01', '2020-01-02', '2020-01-06', '2020-01-07', '2020-01-08'];
    expect(rec.seen).toHaveLength(dates.length * 6);
    dates.forEach((date, d) => {
      const day = rec.seen.slice(d * 6, d * 6 + 6);
      const cycle = Date.parse(`${date}T21:00:00Z`);
      expect(day.map((r) => [r.event.eventType, r.event.priority])).toEqual([
        ['INDEX_UPDATE', 1],
        ['VIX_UPDATE', 1],
        ['RISK_EVALUATE', 2],
        ['ETEDA_CYCLE_START', 2],
        ['DASHBOARD_UPDATE', 3],
        ['LOG_WRITE', 3],
      ]);
      expect(day.every((r) => r.at === cycle && r.event.timestamp === cycle)).toBe(true);
      expect(day.filter((r) => r.event.eventType !== 'RISK_EVALUATE').every((r) => r.event.payload['date'] === date)).toBe(true);
    });
  });

  it('carries exactly the derived metrics in RISK_EVALUATE and the VIX close in VIX_UPDATE', async () => {
    const rec = recordingPipeline();
    const series = smallSeries();
    await runReplay({ ...series, pipeline: rec.factory, targetCagr: 0.1 });
    const expected = deriveMetrics(joinDailySeries(series.spx, series.vix).days, 0.1).map((r) => r.metrics);
    const risk = rec.seen.filter((r) => r.event.eventType === 'RISK_EVALUATE').map((r) => r.event.payload);
    expect(risk).toEqual(expected);
    const vix = rec.seen.filter((r) => r.event.eventType === 'VIX_UPDATE').map((r) => r.event.payload['vix']);
    expect(vix).toEqual([15, 16, 31, 40.5, 22]);
  });

  it('records the state after each cycle, days per state and the transitions', async () => {
    const rec = recordingPipeline();
    const progress: string[] = [];
    const result = await runReplay({ ...smallSeries(), pipeline: rec.factory, onProgress: (done, total) => progress.push(`${done}/${total}`) });
    expect(result.initialState).toBe('BALANCED');
    expect(result.stateByDay).toEqual(['BALANCED', 'BALANCED', 'DEFENSIVE', 'DEFENSIVE', 'DEFENSIVE']);
    expect(result.tradingDaysInState).toEqual({ AGGRESSIVE: 0, BALANCED: 2, DEFENSIVE: 3 });
    expect(progress).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    expect(result.skipped.spxEmpty).toBe(1);
    expect(result.intradayTicks).toBe(0);
  });

  it('toTimeline gives exactly { at, from, to, cause, reason } with an ISO date', async () => {
    const result = await runReplay({ ...smallSeries(), pipeline: recordingPipeline().factory });
    const timeline = toTimeline(result.transitions);
    expect(timeline).toEqual([{ at: '2020-01-06', from: 'BALANCED', to: 'DEFENSIVE', cause: 'RULE', reason: 'vix 31 > 30' }]);
    expect(Object.keys(timeline[0]!)).toEqual(['at', 'from', 'to', 'cause', 'reason']);
  });
});

describe('synthetic intraday ticks', () => {
  it('arrive in bursts inside the session, as PRICE_TICK (P1) + DASHBOARD_UPDATE (P3) pairs', async () => {
    const rec = recordingPipeline();
    const result = await runReplay({ ...smallSeries(), pipeline: rec.factory, intradayTicksPerDay: 100, seed: 7 });
    const ticks = rec.seen.filter((r) => r.event.eventType === 'PRICE_TICK');
    expect(ticks.length).toBe(result.intradayTicks);
    expect(rec.seen.filter((r) => r.event.eventType === 'DASHBOARD_UPDATE').length).toBe(result.intradayTicks + 5);
    for (const r of ticks) {
      const sinceMidnight = r.at % DAY;
      expect(sinceMidnight).toBeGreaterThanOrEqual(SESSION_OPEN_MS);
      expect(sinceMidnight).toBeLessThan(SESSION_CLOSE_MS);
      expect(r.event.timestamp).toBe(r.at);
    }
    // Bursty: many ticks share an arrival instant.
    expect(new Set(ticks.map((r) => r.at)).size).toBeLessThan(ticks.length / 3);
  });

  it('scale with the day’s VIX around the requested mean', () => {
    const { days } = joinDailySeries(smallSeries().spx, smallSeries().vix);
    const meanVix = days.reduce((s, d) => s + d.vix, 0) / days.length;
    const perDay = days.map((d) => planIntradayBursts(d, 1000, meanVix, seededRandom(3)).reduce((s, b) => s + b.ticks, 0));
    expect(perDay).toEqual(days.map((d) => Math.round((1000 * d.vix) / meanVix)));
    expect(perDay[3]).toBeGreaterThan(2 * perDay[0]!); // VIX 40.5 vs 15
  });

  it('are deterministic for a seed and differ between seeds', async () => {
    const times = async (seed: number) => {
      const rec = recordingPipeline();
      await runReplay({ ...smallSeries(), pipeline: rec.factory, intradayTicksPerDay: 50, seed });
      return rec.seen.filter((r) => r.event.eventType === 'PRICE_TICK').map((r) => [r.at, r.event.payload['price']]);
    };
    expect(await times(11)).toEqual(await times(11));
    expect(await times(11)).not.toEqual(await times(12));
  });
});
