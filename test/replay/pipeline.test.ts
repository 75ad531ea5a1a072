import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { describe, it, expect, beforeAll } from 'vitest';
import { parseEventConfig } from '../../src/event/config.js';
import { OperatingStateManager } from '../../src/state/manager.js';
import type { StateTransition } from '../../src/state/contracts.js';
import { snapshotFromJson } from '../../src/state/snapshot.js';
import { cycleTimeMs } from '../../src/replay/events.js';
import { deriveMetrics, joinDailySeries } from '../../src/replay/metrics.js';
import { createSystemPipeline, replayEventConfig } from '../../src/replay/pipeline.js';
import { runReplay, type ReplayResult } from '../../src/replay/run.js';
import { shippedSeries, smallSeries } from './helpers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the system pipeline (dispatcher → bridge → state manager → file store) on the shipped data', () => {
  let result: ReplayResult;
  let stateFile: string;
  beforeAll(async () => {
    stateFile = join(mkdtempSync(join(tmpdir(), 'qts-pipe-')), 'nested', 'state.json');
    result = await runReplay({ ...shippedSeries(), pipeline: createSystemPipeline, stateFile });
  });

  it('evaluates once per trading day at exactly 21:00 UTC and transitions then', () => {
    expect(result.transitions.length).toBeGreaterThan(0);
    for (const t of result.transitions) expect(t.at % DAY).toBe(21 * HOUR);
  });

  it('gives the same timeline as calling the manager directly once per day (the lanes change nothing)', () => {
    const { spx, vix } = shippedSeries();
    const days = deriveMetrics(joinDailySeries(spx, vix).days);
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    scheduler.frame = days[0]!.day.dateMs;
    const manager = new OperatingStateManager({}, { scheduler });
    const direct: StateTransition[] = [];
    manager.transitions$.subscribe((t) => direct.push(t));
    for (const row of days) {
      scheduler.frame = cycleTimeMs(row.day);
      manager.evaluateTransition(row.metrics, 'NORMAL');
    }
    expect(result.transitions).toEqual(direct);
  });

  it('handles every daily event: two per lane per day on P1, P2 and P3, none dropped or failed', () => {
    const n = result.days.length;
    expect(result.lanes.map((l) => [l.priority, l.dispatched, l.handled, l.dropped, l.failed])).toEqual([
      [0, 0, 0, 0, 0],
      [1, 2 * n, 2 * n, 0, 0],
      [2, 2 * n, 2 * n, 0, 0],
      [3, 2 * n, 2 * n, 0, 0],
    ]);
  });

  it('persists the final state through the file store', () => {
    const persisted = snapshotFromJson(readFileSync(stateFile, 'utf8'), stateFile);
    expect(persisted.currentState).toBe(result.stateByDay.at(-1));
    expect(persisted.transitionTimestamp).toBe(result.transitions.at(-1)!.at);
  });
});

describe('intraday load through small lanes', () => {
  it('drops are accounted: dispatched = handled + dropped on every lane, by reason', async () => {
    const small = parseEventConfig(readFileSync(new URL('../../docs/examples/replay-small-lanes.yaml', import.meta.url), 'utf8'), 'replay-small-lanes.yaml');
    const result = await runReplay({ ...smallSeries(), pipeline: createSystemPipeline, eventConfig: small, intradayTicksPerDay: 5000, seed: 3 });
    const [, p1, p2, p3] = result.lanes;
    expect(p1!.dispatched).toBe(result.intradayTicks + 2 * 5);
    expect(p1!.dropped).toBeGreaterThan(0);
    expect(p1!.dropsByReason['evicted']).toBe(p1!.dropped);
    expect(p3!.dropped).toBeGreaterThan(0);
    for (const lane of result.lanes) {
      expect(lane.dispatched, `P${lane.priority}`).toBe(lane.handled + lane.dropped);
      expect(lane.failed).toBe(0);
    }
    // The cycle never loses its P2 events, so the state machine saw every day.
    expect(p2!.handled).toBe(2 * 5);
    expect(p1!.latencyMaxMs).toBeGreaterThan(0);
    expect(p3!.latencyP99Ms).toBeGreaterThanOrEqual(p3!.latencyP50Ms);
  });

  it('keeps P2 unbatched whatever event config is given, so cycles stay at 21:00 UTC', () => {
    const base = parseEventConfig('event:\n  queues:\n    p2:\n      batch_timeout_ms: 250\n', 'x.yaml');
    expect(replayEventConfig(base).queues?.p2?.batchTimeoutMs).toBe(0);
    expect(replayEventConfig(base).queues?.p1?.capacity).toBe(base.queues.p1.capacity);
    expect(replayEventConfig(null)).toEqual({ queues: { p2: { batchTimeoutMs: 0 } } });
  });
});
