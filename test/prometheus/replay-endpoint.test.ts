import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, parseReplayArgs, UsageError } from '../../src/cli/main.js';
import { createSystemPipeline } from '../../src/replay/pipeline.js';
import type { PipelineFactory } from '../../src/replay/run.js';
import { parseExposition, valueOf, type Exposition } from './exposition.js';

const fixtures = fileURLToPath(new URL('../replay/fixtures/', import.meta.url));

describe('qts-reactive replay --metrics-port: a /metrics endpoint while the replay runs', () => {
  it('serves the lanes and the operating state on 127.0.0.1 during a short replay, in the text exposition format', async () => {
    let stderr = '';
    const scrapes: { day: number; status: number; contentType: string | null; body: Exposition }[] = [];
    // The system under replay as the CLI builds it, with a scrape of the endpoint after days 2 and 5.
    const scraping: PipelineFactory = (context) => {
      const pipeline = createSystemPipeline(context);
      let day = 0;
      return {
        ...pipeline,
        async settle() {
          await pipeline.settle();
          day++;
          if (day !== 2 && day !== 5) return;
          const url = /Prometheus metrics at (\S+) /.exec(stderr)![1]!;
          expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
          const response = await fetch(url);
          scrapes.push({ day, status: response.status, contentType: response.headers.get('content-type'), body: parseExposition(await response.text()) });
        },
      };
    };
    const cwd = mkdtempSync(join(tmpdir(), 'qts-metrics-'));
    const code = await main(
      ['replay', '--spx', join(fixtures, 'spx-small.csv'), '--vix', join(fixtures, 'vix-small.csv'), '--no-report', '--no-state-file', '--intraday', '40', '--metrics-port', '0'],
      { cwd, stdout: { write: () => true }, stderr: { write: (chunk: string) => ((stderr += chunk), true) }, pipeline: scraping },
    );
    expect(code).toBe(0);
    expect(scrapes.map((s) => [s.day, s.status])).toEqual([
      [2, 200],
      [5, 200],
    ]);
    expect(scrapes[0]!.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const [early, late] = [scrapes[0]!.body, scrapes[1]!.body];
    for (const lane of ['P0', 'P1', 'P2', 'P3']) {
      expect(valueOf(late, 'qts_lane_depth', { lane })).toBeGreaterThanOrEqual(0);
      expect(valueOf(late, 'qts_lane_capacity', { lane })).toBeGreaterThan(0);
      expect(late.types.get('qts_lane_enqueued_total')).toBe('counter');
      // Counters only grow between scrapes.
      expect(valueOf(late, 'qts_lane_enqueued_total', { lane })).toBeGreaterThanOrEqual(valueOf(early, 'qts_lane_enqueued_total', { lane }));
    }
    // Each trading day sends two P2 events (RISK_EVALUATE, ETEDA_CYCLE_START) and intraday ticks on P1 and P3.
    expect(valueOf(late, 'qts_lane_enqueued_total', { lane: 'P2' })).toBe(10);
    expect(valueOf(late, 'qts_lane_handled_total', { lane: 'P1' })).toBeGreaterThan(valueOf(early, 'qts_lane_handled_total', { lane: 'P1' }));
    expect(valueOf(late, 'qts_operating_state_evaluations_total', { gate: 'none' }) + valueOf(late, 'qts_operating_state_evaluations_total', { gate: 'HYSTERESIS' }) + valueOf(late, 'qts_operating_state_evaluations_total', { gate: 'CONFIRMING' }) + valueOf(late, 'qts_operating_state_evaluations_total', { gate: 'COOLDOWN' })).toBe(5);
    const states = ['AGGRESSIVE', 'BALANCED', 'DEFENSIVE'].map((state) => valueOf(late, 'qts_operating_state', { state }));
    expect(states.reduce((a, b) => a + b)).toBe(1);
    expect(valueOf(late, 'qts_operating_state_trading_halted')).toBe(0);
    // The endpoint is closed once the replay is over.
    const url = /Prometheus metrics at (\S+) /.exec(stderr)![1]!;
    await expect(fetch(url)).rejects.toThrow();
  });

  it('takes a port from 0 to 65535 and names the option otherwise', () => {
    expect(parseReplayArgs(['--metrics-port', '9464'])).toMatchObject({ metricsPort: 9464 });
    expect(parseReplayArgs([])).toMatchObject({ metricsPort: null });
    expect(() => parseReplayArgs(['--metrics-port', '70000'])).toThrow(UsageError);
    expect(() => parseReplayArgs(['--metrics-port', 'x'])).toThrow(/--metrics-port: expected a TCP port from 0 to 65535, got "x"/);
    expect(() => parseReplayArgs(['--metrics-port', '0', '--nats', 'nats://127.0.0.1:4222'])).toThrow(/--metrics-port and --nats: expected one of them/);
  });
});
