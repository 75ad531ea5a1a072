import { afterEach, describe, it, expect } from 'vitest';
import { Subject, from, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { type Event } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import type { DropRecord } from '../../src/event/buffer/types.js';
import { LaneConfigError } from '../../src/event/buffer/errors.js';
import { setInstrumentation, type StreamInfo } from '../../src/debug/instrument.js';
import { dropOldest, mergeByPriority } from '../../src/operators/index.js';
import { OperatingStateManager } from '../../src/state/manager.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

let restore: () => void = () => undefined;
afterEach(() => restore());

/** Installs a `tap` hook that logs `name notification` lines, and records what the hook was told. */
function logHook(): { lines: string[]; infos: Map<string, StreamInfo> } {
  const lines: string[] = [];
  const infos = new Map<string, StreamInfo>();
  restore = setInstrumentation((name, info) => {
    infos.set(name, info);
    return tap({ next: () => lines.push(`${name} next`), complete: () => lines.push(`${name} complete`) });
  });
  return { lines, infos };
}

describe('the instrumentation hook', () => {
  it('is told the name and kind of every stream of a dispatcher, a manager and the operators', () => {
    const { infos } = logHook();
    const scheduler = virtual();
    new EventDispatcher({}, { scheduler });
    new OperatingStateManager({}, { scheduler, name: 'desk' });
    dropOldest({ capacity: 2, ready: new Subject(), name: 'ticks' });
    mergeByPriority({ scheduler, name: 'lanes' });
    expect(Object.fromEntries([...infos].map(([name, info]) => [name, `${info.kind} ${info.creator}`]))).toEqual({
      'dispatcher.drops': 'source dispatcher',
      'dispatcher.failures': 'source dispatcher',
      'dispatcher.telemetry': 'source dispatcher',
      'dispatcher.ingestErrors': 'source dispatcher',
      'dispatcher.degradation': 'source dispatcher',
      'dispatcher.p0.batches': 'source dispatcher',
      'dispatcher.p1.batches': 'source dispatcher',
      'dispatcher.p2.batches': 'source dispatcher',
      'dispatcher.p3.batches': 'source dispatcher',
      'dispatcher.metrics': 'source dispatcher',
      'dispatcher.alerts': 'source dispatcher',
      'desk.state': 'source desk',
      'desk.transitions': 'source desk',
      'desk.evaluations': 'source desk',
      'desk.telemetry': 'source desk',
      'ticks': 'operator dropOldest',
      'lanes': 'operator mergeByPriority',
    });
  });

  it('wraps metrics$ as the user holds it: each subscriber is seen, and so is the completion at stop', async () => {
    const { lines } = logHook();
    const scheduler = virtual();
    const d = new EventDispatcher({ monitoring: { checkIntervalMs: 100 } }, { scheduler });
    d.metrics$.subscribe();
    d.metrics$.subscribe();
    d.alerts$.subscribe();
    d.drops$.subscribe();
    scheduler.schedule(() => void d.stop(), 150);
    scheduler.flush();
    await d.stop();
    expect(lines.filter((l) => l.startsWith('dispatcher.metrics') || l.startsWith('dispatcher.drops'))).toEqual([
      'dispatcher.metrics next',
      'dispatcher.metrics next',
      'dispatcher.metrics complete',
      'dispatcher.metrics complete',
      'dispatcher.drops complete',
    ]);
    expect(lines).toContain('dispatcher.alerts complete');
  });
});

describe('operator drops: the `drops` option next to `onDrop`', () => {
  const tick = (price: number): Event => createEvent('PRICE_TICK', { eventId: `p${price}`, timestamp: 0, payload: { price } });

  it('hands every drop to the observer through the named stream `<name>.drops`, and to onDrop too', () => {
    const { lines, infos } = logHook();
    const drops = new Subject<DropRecord>();
    const received: string[] = [];
    let dropsCompleted = false;
    drops.subscribe({ next: (r) => received.push(`${r.reason} ${r.event.eventId}`), complete: () => (dropsCompleted = true) });
    const called: string[] = [];
    const ready = new Subject<void>();
    const subscription = from([tick(1), tick(2), tick(3), tick(4)])
      .pipe(dropOldest({ capacity: 2, ready, name: 'ticks', drops, onDrop: (r) => called.push(r.event.eventId) }))
      .subscribe();
    subscription.unsubscribe();
    expect(received).toEqual(['evicted p1', 'evicted p2', 'shutdown p3', 'shutdown p4']);
    expect(called).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(infos.get('ticks.drops')).toEqual({ kind: 'source', creator: 'dropOldest' });
    expect(lines.filter((l) => l.startsWith('ticks.drops'))).toEqual([...Array<string>(4).fill('ticks.drops next'), 'ticks.drops complete']);
    // The user's Subject is only given `next`: it can collect several operators' drops.
    expect(dropsCompleted).toBe(false);
  });

  it('reaches the observer even when onDrop throws', () => {
    const drops = new Subject<DropRecord>();
    const received: string[] = [];
    drops.subscribe((r) => received.push(r.event.eventId));
    const errors: unknown[] = [];
    const ready = new Subject<void>();
    from([tick(1), tick(2), tick(3)])
      .pipe(
        dropOldest({
          capacity: 2,
          ready,
          drops,
          onDrop: () => {
            throw new Error('boom');
          },
          onError: (error) => errors.push(error),
        }),
      )
      .subscribe();
    expect(received).toEqual(['p1']);
    expect(errors).toHaveLength(1);
  });

  it('names the drops of mergeByPriority `<name>.drops` too', () => {
    const { infos } = logHook();
    const scheduler = virtual();
    const drops = new Subject<DropRecord>();
    const received: string[] = [];
    drops.subscribe((r) => received.push(`${r.reason} ${r.event.eventId}`));
    const subscription = from([tick(1), tick(2)]).pipe(mergeByPriority({ scheduler, name: 'lanes', drops })).subscribe();
    subscription.unsubscribe();
    expect(received).toEqual(['shutdown p1', 'shutdown p2']);
    expect(infos.get('lanes.drops')).toEqual({ kind: 'source', creator: 'mergeByPriority' });
  });

  it('rejects a `drops` that is not an observer, naming the option', () => {
    expect(() => dropOldest({ capacity: 2, ready: new Subject(), drops: {} as never })).toThrow(LaneConfigError);
    expect(() => dropOldest({ capacity: 2, ready: new Subject(), drops: {} as never })).toThrow(/drops/);
  });
});
