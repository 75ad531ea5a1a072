import { describe, it, expect } from 'vitest';
import { inspect } from 'node:util';
import { TestScheduler } from 'rxjs/testing';
import { type Event } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher, type DispatcherTelemetry } from '../../src/event/dispatcher/index.js';
import { ev } from '../support/events.js';
import { formatRecord } from '../../src/telemetry/formatRecord.js';
import { OperatingStateManager } from '../../src/state/manager.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** The depth a chart shows per lane: the last record's, starting from the snapshot. */
function chartDepths(records: readonly DispatcherTelemetry[]): number[] {
  const depths = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  for (const r of records) if (r.lane !== null && r.depth !== null) depths[r.lane] = r.depth;
  return depths;
}

describe('EventDispatcher telemetry: records a chart can draw', () => {
  it('carries the lane depth after each change and a sequence number that rises by one', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { capacity: 3 } }, monitoring: { alerts: { p1Depth: { warning: 1, critical: 2 } } } }, { scheduler });
    const records: DispatcherTelemetry[] = [];
    d.telemetry$.subscribe((r) => records.push(r));
    for (let i = 0; i < 5; i++) void d.dispatch(ev({ type: 'PRICE_TICK' }));
    const live = records.filter((r) => r.kind !== 'snapshot');
    // Capacity 3: the 4th and 5th ticks each take the oldest's place; the depth stays at 3.
    expect(live.map((r) => [r.kind, r.depth])).toEqual([
      ['enqueued', 1],
      ['enqueued', 2],
      ['enqueued', 3],
      ['evicted', 3],
      ['enqueued', 3],
      ['evicted', 3],
      ['enqueued', 3],
    ]);
    expect(live.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await d.start();
  });

  it('opens every subscription with one snapshot per lane (depth, capacity, counters), so a late subscriber needs nothing else', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 100, batchTimeoutMs: 0 } } }, { scheduler });
    const early: DispatcherTelemetry[] = [];
    d.telemetry$.subscribe((r) => early.push(r));
    let handledBatches = 0;
    d.registerHandler(1, () => {
      handledBatches++;
      // After the first batch the lane pauses, leaving a backlog behind.
      if (handledBatches === 1) d.setDegradationLevel('CRITICAL_ONLY');
    });
    await d.start();
    for (let i = 0; i < 500; i++) void d.dispatch(ev({ type: 'PRICE_TICK' }));
    scheduler.flush();
    expect(d.sampleMetrics().lanes[1]!.depth).toBe(400);

    const late: DispatcherTelemetry[] = [];
    d.telemetry$.subscribe((r) => late.push(r));
    const lastSeq = early[early.length - 1]!.seq;
    expect(late.map((r) => r.kind)).toEqual(['snapshot', 'snapshot', 'snapshot', 'snapshot']);
    expect(late.map((r) => r.lane)).toEqual([0, 1, 2, 3]);
    expect(late.every((r) => r.seq === lastSeq && Object.isFrozen(r))).toBe(true);
    const p1 = late[1]!;
    expect(p1).toMatchObject({ depth: 400, capacity: 10_000, level: 'CRITICAL_ONLY' });
    expect(p1.counters).toEqual({ enqueued: 500, handled: 100, failed: 0, evicted: 0, collapsed: 0, sampled: 0, blocked: 0, released: 0, shutdown: 0 });
    // The late chart and the early one agree with the lanes, without summing anything.
    expect(chartDepths(late)).toEqual([0, 400, 0, 0]);
    expect(chartDepths(early)).toEqual([0, 400, 0, 0]);

    void d.dispatch(ev({ type: 'PRICE_TICK' }));
    expect(late[4]).toMatchObject({ kind: 'enqueued', lane: 1, depth: 401, seq: lastSeq + 1 });
    expect(early[early.length - 1]).toBe(late[4]);
  });

  it('gives a completed dispatcher\'s late subscriber completion, not a snapshot', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    const stopped = d.stop();
    scheduler.flush();
    await stopped;
    const seen: string[] = [];
    d.telemetry$.subscribe({ next: (r) => seen.push(r.kind), complete: () => seen.push('complete') });
    expect(seen).toEqual(['complete']);
  });

  it('formats dispatcher and state records as one log line each', () => {
    const lane = Object.freeze({ kind: 'enqueued', lane: 1, count: 1, at: Date.UTC(2020, 2, 2), depth: 400, seq: 12 } as const);
    expect(formatRecord(lane)).toBe('#12 2020-03-02T00:00:00.000Z P1 enqueued 1 depth 400');
    const snapshot: DispatcherTelemetry = {
      kind: 'snapshot',
      lane: 0,
      count: 0,
      at: 0,
      depth: 2,
      seq: 3,
      level: 'NORMAL',
      capacity: 100,
      counters: { enqueued: 5, handled: 3, failed: 0, evicted: 0, collapsed: 0, sampled: 0, blocked: 0, released: 0, shutdown: 0 },
    };
    expect(formatRecord(snapshot)).toBe(
      '#3 1970-01-01T00:00:00.000Z P0 snapshot depth 2/100 NORMAL enqueued 5 handled 3 failed 0 evicted 0 collapsed 0 sampled 0 blocked 0 released 0 shutdown 0',
    );
    expect(formatRecord({ kind: 'degraded', lane: null, count: 0, at: 0, depth: null, seq: 4, level: 'P3_PAUSED' })).toBe('#4 1970-01-01T00:00:00.000Z -- degraded P3_PAUSED');
    expect(formatRecord({ kind: 'transitioned', state: 'DEFENSIVE', from: 'BALANCED', cause: 'RULE', at: 0 })).toBe(
      '1970-01-01T00:00:00.000Z state transitioned BALANCED -> DEFENSIVE (RULE)',
    );
    expect(formatRecord({ kind: 'evaluated', state: 'BALANCED', gate: 'HYSTERESIS', at: 0 })).toBe('1970-01-01T00:00:00.000Z state evaluated BALANCED gate HYSTERESIS');
  });
});

describe('EventDispatcher batches$: the batches handed to each lane\'s handlers', () => {
  it('emits each lane\'s batches as its handlers receive them', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({ queues: { p1: { batchSize: 2, batchTimeoutMs: 0 } } }, { scheduler });
    const handed: (readonly Event[])[] = [];
    const seen: [number, readonly Event[]][] = [];
    d.batches$.forEach((batches$, priority) => batches$.subscribe((batch) => seen.push([priority, batch])));
    d.registerHandler(1, (batch) => void handed.push(batch));
    d.registerHandler(0, (batch) => void handed.push(batch));
    await d.start();
    const events = [ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'PRICE_TICK' }), ev({ type: 'FILL_CONFIRMED' })];
    for (const e of events) void d.dispatch(e);
    scheduler.flush();
    expect(seen.map(([p, b]) => [p, b.length])).toEqual([
      [0, 1],
      [1, 2],
      [1, 1],
    ]);
    expect(seen.map(([, b]) => b)).toEqual(handed);
    const done = d.stop();
    scheduler.flush();
    await done;
    let completed = 0;
    for (const batches$ of d.batches$) batches$.subscribe({ complete: () => completed++ });
    expect(completed).toBe(4);
  });
});

describe('inspect summaries', () => {
  it('shows a dispatcher as its state, level and lane depths, not its private fields', async () => {
    const scheduler = virtual();
    const d = new EventDispatcher({}, { scheduler });
    void d.dispatch(ev({ type: 'PRICE_TICK' }));
    expect(inspect(d)).toBe('EventDispatcher <not started, NORMAL, P0 0/100, P1 1/10000, P2 0/1000, P3 0/50000>');
    await d.start();
    expect(inspect(d)).toMatch(/^EventDispatcher <running, NORMAL, /);
  });

  it('shows a manager as its state, since when, override and halt', () => {
    const scheduler = virtual();
    const manager = new OperatingStateManager({}, { scheduler });
    expect(inspect(manager)).toBe('OperatingStateManager <BALANCED since 1970-01-01T00:00:00.000Z, no override>');
    manager.updateSafety('LOCKDOWN');
    expect(inspect(manager)).toBe('OperatingStateManager <BALANCED since 1970-01-01T00:00:00.000Z, no override, trading halted>');
  });

  it('shows an event as its fields only: the brand is no property', () => {
    const event = createEvent('FILL_CONFIRMED', { eventId: 'A1', timestamp: 0, payload: { orderId: 'A1' } });
    expect(Reflect.ownKeys(event)).toEqual(['eventId', 'eventType', 'priority', 'timestamp', 'source', 'payload', 'requiresAck', 'maxProcessTimeMs', 'canBatch', 'canCollapse', 'canDrop']);
    expect(inspect(event, { showHidden: true })).not.toMatch(/Symbol|Circular/);
  });
});
