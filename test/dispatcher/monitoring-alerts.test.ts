import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import type { EventPriority } from '../../src/event/contracts.js';
import type { MonitoringConfig } from '../../src/event/config.js';
import { detectAlerts, readAlerts, type AlertReading, type DispatcherAlert, type DispatcherMetrics, type LaneMetrics } from '../../src/event/monitoring.js';

// Every lane has thresholds and budgets of its own, so an alert that reads another lane's shows.
const config: MonitoringConfig = {
  checkIntervalMs: 100,
  latencyWindow: 16,
  alerts: {
    p0Depth: { warning: 50, critical: 80 },
    p1Depth: { warning: 700, critical: 900 },
    p2Depth: { warning: 60, critical: 95 },
    p3Depth: null,
  },
  backpressure: { p1: { warning: 0.7, critical: 0.9 }, p2: { warning: 0.8, critical: 0.95 } },
  latencyBudgetMs: { p0: 10, p1: 50, p2: 500 },
};

interface LaneFigures {
  depth?: number;
  utilisation?: number;
  budgetBreaches?: number;
  p99?: number;
}

function lane(priority: EventPriority, figures: LaneFigures = {}): LaneMetrics {
  const p99 = figures.p99 ?? 0;
  return {
    priority,
    lane: `p${priority}`,
    policy: 'BLOCK',
    depth: figures.depth ?? 0,
    capacity: 1000,
    utilisation: figures.utilisation ?? 0,
    producersWaiting: 0,
    paused: false,
    inFlightBatches: 0,
    inFlightEvents: 0,
    enqueued: 0,
    handled: 0,
    failed: 0,
    evicted: 0,
    collapsed: 0,
    rejected: 0,
    blocked: 0,
    released: 0,
    shutdown: 0,
    budgetBreaches: figures.budgetBreaches ?? 0,
    latency: { p50: p99, p99, max: p99, count: Number.isNaN(p99) ? 0 : 1 },
  } as LaneMetrics;
}

/** A sample with quiet lanes except those given. */
function sample(at: number, lanes: Partial<Record<EventPriority, LaneFigures>> = {}): DispatcherMetrics {
  return { at, degradationLevel: 'NORMAL', lanes: ([0, 1, 2, 3] as const).map((p) => lane(p, lanes[p])) };
}

function reading(readings: AlertReading[], priority: EventPriority, kind: AlertReading['kind']): AlertReading | undefined {
  return readings.find((r) => r.priority === priority && r.kind === kind);
}

function alertsOf(samples: DispatcherMetrics[], cfg: MonitoringConfig = config): DispatcherAlert[] {
  const alerts: DispatcherAlert[] = [];
  const metrics$ = new Subject<DispatcherMetrics>();
  metrics$.pipe(detectAlerts(cfg)).subscribe((a) => alerts.push(a));
  for (const s of samples) metrics$.next(s);
  return alerts;
}

describe('readAlerts: which alerts each lane has', () => {
  it('reads depth on P0–P2, backpressure on P1 and P2, latency on every lane; no depth on P3 while its thresholds are null', () => {
    const kinds = readAlerts(sample(0), config).map((r) => `P${r.priority} ${r.kind}`);
    expect(kinds).toEqual([
      'P0 depth', 'P0 latency',
      'P1 depth', 'P1 backpressure', 'P1 latency',
      'P2 depth', 'P2 backpressure', 'P2 latency',
      'P3 latency',
    ]);
    expect(readAlerts(sample(0), config).every((r) => r.level === 'ok')).toBe(true);
  });

  it('reads depth on P3 against its own thresholds when they are set', () => {
    const withP3 = { ...config, alerts: { ...config.alerts, p3Depth: { warning: 30, critical: 40 } } };
    const readings = readAlerts(sample(0, { 3: { depth: 30 } }), withP3);
    expect(reading(readings, 3, 'depth')).toEqual({ priority: 3, kind: 'depth', level: 'warning', value: 30, threshold: 30 });
  });
});

describe('readAlerts: depth', () => {
  const levels = (p: 0 | 1 | 2, depth: number): string | undefined => reading(readAlerts(sample(0, { [p]: { depth } }), config), p, 'depth')?.level;

  it('enters warning exactly at the warning threshold and critical exactly at the critical one, per lane', () => {
    expect([levels(0, 49), levels(0, 50), levels(0, 79), levels(0, 80)]).toEqual(['ok', 'warning', 'warning', 'critical']);
    expect([levels(1, 699), levels(1, 700), levels(1, 899), levels(1, 900)]).toEqual(['ok', 'warning', 'warning', 'critical']);
    expect([levels(2, 59), levels(2, 60), levels(2, 94), levels(2, 95)]).toEqual(['ok', 'warning', 'warning', 'critical']);
  });

  it('carries the depth as its value and the warning threshold while at warning', () => {
    const r = reading(readAlerts(sample(0, { 1: { depth: 750 } }), config), 1, 'depth');
    expect(r).toEqual({ priority: 1, kind: 'depth', level: 'warning', value: 750, threshold: 700 });
  });

  it('carries the critical threshold while at critical', () => {
    expect(reading(readAlerts(sample(0, { 1: { depth: 950 } }), config), 1, 'depth')).toEqual({ priority: 1, kind: 'depth', level: 'critical', value: 950, threshold: 900 });
  });
});

describe('readAlerts: backpressure', () => {
  const bp = (p: 1 | 2, utilisation: number): AlertReading | undefined => reading(readAlerts(sample(0, { [p]: { utilisation } }), config), p, 'backpressure');

  it('enters warning and critical exactly at the lane ratio thresholds, P1 and P2 each with its own', () => {
    expect([bp(1, 0.69)?.level, bp(1, 0.7)?.level, bp(1, 0.89)?.level, bp(1, 0.9)?.level]).toEqual(['ok', 'warning', 'warning', 'critical']);
    expect([bp(2, 0.79)?.level, bp(2, 0.8)?.level, bp(2, 0.94)?.level, bp(2, 0.95)?.level]).toEqual(['ok', 'warning', 'warning', 'critical']);
  });

  it('carries the utilisation as its value and the threshold of the level entered (warning when ok)', () => {
    expect(bp(2, 0.5)).toEqual({ priority: 2, kind: 'backpressure', level: 'ok', value: 0.5, threshold: 0.8 });
    expect(bp(2, 0.85)).toEqual({ priority: 2, kind: 'backpressure', level: 'warning', value: 0.85, threshold: 0.8 });
    expect(bp(2, 0.97)).toEqual({ priority: 2, kind: 'backpressure', level: 'critical', value: 0.97, threshold: 0.95 });
    expect(bp(1, 0.92)).toEqual({ priority: 1, kind: 'backpressure', level: 'critical', value: 0.92, threshold: 0.9 });
  });
});

describe('readAlerts: latency', () => {
  const lat = (p: EventPriority, figures: LaneFigures, previous?: DispatcherMetrics): AlertReading | undefined =>
    reading(readAlerts(sample(1, { [p]: figures }), config, previous), p, 'latency');

  it('is critical only when p99 exceeds the lane budget (P0 10, P1 50, P2 500 ms), not at it', () => {
    expect([lat(0, { p99: 10 })?.level, lat(0, { p99: 10.5 })?.level]).toEqual(['ok', 'critical']);
    expect([lat(1, { p99: 50 })?.level, lat(1, { p99: 51 })?.level]).toEqual(['ok', 'critical']);
    expect([lat(2, { p99: 500 })?.level, lat(2, { p99: 501 })?.level]).toEqual(['ok', 'critical']);
    expect(lat(1, { p99: 60 })).toEqual({ priority: 1, kind: 'latency', level: 'critical', value: 60, threshold: 50 });
  });

  it('never goes critical on P3, which has no budget (threshold 0)', () => {
    expect(lat(3, { p99: 1e9 })).toEqual({ priority: 3, kind: 'latency', level: 'ok', value: 1e9, threshold: 0 });
  });

  it('is warning when events breached their own maxProcessTimeMs since the previous sample', () => {
    expect(lat(3, { budgetBreaches: 1 })?.level).toBe('warning');
    expect(lat(2, { budgetBreaches: 2, p99: 5 })).toEqual({ priority: 2, kind: 'latency', level: 'warning', value: 5, threshold: 500 });
    const before = sample(0, { 2: { budgetBreaches: 2 } });
    expect(lat(2, { budgetBreaches: 2 }, before)?.level).toBe('ok');
    expect(lat(2, { budgetBreaches: 3 }, before)?.level).toBe('warning');
  });

  it('counts every breach of a lane as new when the previous sample does not have that lane', () => {
    const previous: DispatcherMetrics = { at: 0, degradationLevel: 'NORMAL', lanes: [lane(0, { budgetBreaches: 9 })] };
    expect(lat(0, { budgetBreaches: 9 }, previous)?.level).toBe('ok');
    expect(lat(2, { budgetBreaches: 1 }, previous)?.level).toBe('warning');
  });

  it('prefers critical over warning when both hold', () => {
    expect(lat(0, { p99: 11, budgetBreaches: 1 })?.level).toBe('critical');
  });

  it('reads 0 as the value of an empty latency window', () => {
    expect(lat(0, { p99: Number.NaN })).toEqual({ priority: 0, kind: 'latency', level: 'ok', value: 0, threshold: 10 });
  });
});

describe('detectAlerts: messages', () => {
  it('names the lane, the value, the threshold and the level of each alert, and what it was when it clears', () => {
    const alerts = alertsOf([
      sample(1, { 0: { depth: 55 }, 2: { utilisation: 0.8125 }, 1: { p99: 75.25 }, 3: { budgetBreaches: 1 } }),
      sample(2, { 0: { depth: 3 }, 2: { utilisation: 0.96 }, 1: { p99: 1 }, 3: { budgetBreaches: 1 } }),
    ]);
    expect(alerts.map((a) => a.message)).toEqual([
      'P0 depth 55 ≥ 50 (warning)',
      'P1 latency p99 75.250 ms > budget 50 ms (critical)',
      'P2 utilisation 0.813 ≥ 0.8 (warning)',
      'P3 events exceeded their maxProcessTimeMs since the last sample (warning)',
      'P0 depth cleared (was warning): 3',
      'P1 latency cleared (was critical): 1',
      'P2 utilisation 0.960 ≥ 0.95 (critical)',
      'P3 latency cleared (was warning): 0',
    ]);
  });

  it('names the critical threshold in a critical depth message', () => {
    const [alert] = alertsOf([sample(1, { 0: { depth: 85 } })]);
    expect(alert!.message).toBe('P0 depth 85 ≥ 80 (critical)');
  });
});

describe('detectAlerts: the stream', () => {
  it('emits frozen alerts stamped with the sample time, its previous level and the reading', () => {
    const [alert] = alertsOf([sample(7, { 1: { utilisation: 0.75 } })]);
    expect(alert).toEqual({ at: 7, priority: 1, kind: 'backpressure', level: 'warning', previous: 'ok', value: 0.75, threshold: 0.7, message: 'P1 utilisation 0.750 ≥ 0.7 (warning)' });
    expect(Object.isFrozen(alert)).toBe(true);
  });

  it('tracks each lane and kind apart: one lane clearing does not clear or repeat another', () => {
    const alerts = alertsOf([
      sample(1, { 1: { depth: 800, utilisation: 0.75 }, 2: { depth: 70 } }),
      sample(2, { 1: { depth: 800, utilisation: 0.1 }, 2: { depth: 70 } }),
      sample(3, { 1: { depth: 800, utilisation: 0.1 }, 2: { depth: 10 } }),
    ]);
    expect(alerts.map((a) => `${a.at} P${a.priority} ${a.kind} ${a.previous}>${a.level}`)).toEqual([
      '1 P1 depth ok>warning',
      '1 P1 backpressure ok>warning',
      '1 P2 depth ok>warning',
      '2 P1 backpressure warning>ok',
      '3 P2 depth warning>ok',
    ]);
  });

  it('counts budget breaches from the previous sample, so a steady breach counter clears the warning', () => {
    const alerts = alertsOf([sample(1, { 0: { budgetBreaches: 4 } }), sample(2, { 0: { budgetBreaches: 4 } }), sample(3, { 0: { budgetBreaches: 5 } })]);
    expect(alerts.map((a) => `${a.at} ${a.previous}>${a.level}`)).toEqual(['1 ok>warning', '2 warning>ok', '3 ok>warning']);
  });

  it('passes an error of the samples on to its subscriber', () => {
    const metrics$ = new Subject<DispatcherMetrics>();
    const errors: unknown[] = [];
    metrics$.pipe(detectAlerts(config)).subscribe({ error: (e: unknown) => errors.push(e) });
    const failure = new Error('sampling failed');
    metrics$.error(failure);
    expect(errors).toEqual([failure]);
  });

  it('completes when the samples complete', () => {
    const metrics$ = new Subject<DispatcherMetrics>();
    let completed = false;
    metrics$.pipe(detectAlerts(config)).subscribe({ complete: () => (completed = true) });
    metrics$.complete();
    expect(completed).toBe(true);
  });
});
