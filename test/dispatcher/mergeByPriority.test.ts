import { describe, it, expect } from 'vitest';
import { configure } from 'rxjs-marbles';
import { EMPTY, NEVER, Subject, of, throwError, timer, map, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { EventValidationError, type Event, type EventType } from '../../src/event/contracts.js';
import { createEvent } from '../../src/event/createEvent.js';
import { mergeByPriority } from '../../src/operators/mergeByPriority.js';
import type { DropRecord } from '../../src/event/buffer/types.js';

const { marbles } = configure({ run: true });

function ev(type: EventType, id: string, init: Parameters<typeof createEvent>[1] = {}): Event {
  return createEvent(type, { eventId: id, timestamp: 0, ...init });
}
const one = { batchSize: 1, batchTimeoutMs: 0 };
const unbatched = { p0: one, p1: one, p2: one, p3: one };

describe('mergeByPriority', () => {
  it('delivers the higher lane first among events of one turn', marbles((m) => {
    const a = ev('LOG_WRITE', 'a');
    const c = ev('LOG_WRITE', 'c');
    const X = ev('FILL_CONFIRMED', 'X');
    const source = m.hot('-a--(cX)--|', { a, c, X });
    const expected = '     -a--(Xc)--|';
    m.expect(source.pipe(mergeByPriority({ lanes: unbatched, scheduler: m.scheduler }))).toBeObservable(expected, {
      a: [a],
      c: [c],
      X: [X],
    });
  }));

  it('batches like groupedWithin: a count flush restarts the window', marbles((m) => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => ev('PRICE_TICK', id)) as [Event, Event, Event, Event];
    const source = m.hot('-a-b-c-d-------|', { a, b, c, d });
    const expected = '     -----B------D--|';
    const lanes = { p1: { batchSize: 3, batchTimeoutMs: 5 } };
    m.expect(source.pipe(mergeByPriority({ lanes, scheduler: m.scheduler }))).toBeObservable(expected, {
      B: [a, b, c],
      D: [d],
    });
  }));

  it('flushes a partial batch on completion and never emits an empty batch', marbles((m) => {
    const [a, b] = ['a', 'b'].map((id) => ev('PRICE_TICK', id)) as [Event, Event];
    const source = m.hot('-a-b|', { a, b });
    const expected = '     ----(B|)';
    const lanes = { p1: { batchSize: 10, batchTimeoutMs: 100 } };
    m.expect(source.pipe(mergeByPriority({ lanes, scheduler: m.scheduler }))).toBeObservable(expected, { B: [a, b] });
  }));

  it('never batches P0 and sends canBatch:false events alone', marbles((m) => {
    const x = ev('FILL_CONFIRMED', 'x');
    const y = ev('FILL_PARTIAL', 'y');
    const a = ev('PRICE_TICK', 'a');
    const n = ev('PRICE_TICK', 'n', { canBatch: false });
    const b = ev('PRICE_TICK', 'b');
    const source = m.hot('-(xyanb)-|', { x, y, a, n, b });
    const expected = '     -(XYANB)-|';
    const lanes = { p0: { batchSize: 10 }, p1: { batchSize: 10, batchTimeoutMs: 0 } };
    m.expect(source.pipe(mergeByPriority({ lanes, scheduler: m.scheduler }))).toBeObservable(expected, {
      X: [x],
      Y: [y],
      A: [a],
      N: [n],
      B: [b],
    });
  }));

  it('completes at once for an empty source', marbles((m) => {
    m.expect(EMPTY.pipe(mergeByPriority({ scheduler: m.scheduler }))).toBeObservable('|');
  }));

  it('stays silent for a silent source', marbles((m) => {
    m.expect(NEVER.pipe(mergeByPriority({ scheduler: m.scheduler }))).toBeObservable('-');
  }));

  it('passes a source error through', marbles((m) => {
    const source = m.cold('--#');
    m.expect(source.pipe(mergeByPriority({ scheduler: m.scheduler }))).toBeObservable('--#');
  }));

  it('unsubscribes from the source when the output is unsubscribed', marbles((m) => {
    const source = m.hot('-a---', { a: ev('LOG_WRITE', 'a') });
    const subs = '        ^--!';
    m.expect(source.pipe(mergeByPriority({ scheduler: m.scheduler, lanes: unbatched })), subs).toBeObservable('-a-', {
      a: [ev('LOG_WRITE', 'a')],
    });
    m.expect(source).toHaveSubscriptions(subs);
  }));

  it('reports evictions of a capacity-1 lane with the dropped event', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    const drops: DropRecord[] = [];
    const out: (readonly Event[])[] = [];
    const a = ev('PRICE_TICK', 'a');
    const b = ev('PRICE_TICK', 'b');
    const source = new Subject<Event>();
    source
      .pipe(mergeByPriority({ scheduler, lanes: { p1: { capacity: 1, batchSize: 1 } }, onDrop: (r) => drops.push(r) }))
      .subscribe((batch) => out.push(batch));
    source.next(a);
    source.next(b); // same turn: a is still queued, so it is evicted
    scheduler.flush();
    expect(out).toEqual([[b]]);
    expect(drops.map((d) => [d.event.eventId, d.reason])).toEqual([['a', 'evicted']]);
  });

  it('keeps one batch in flight per lane (concurrency 1) while another lane runs on', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ hot, expectObservable }) => {
      const [a, b] = ['a', 'b'].map((id) => ev('LOG_WRITE', id)) as [Event, Event];
      const x = ev('FILL_CONFIRMED', 'x');
      const source = hot('-(ab)-x-|', { a, b, x });
      const slowP3 = (batch: readonly Event[]): Observable<unknown> | void =>
        batch[0]!.priority === 3 ? timer(10, scheduler).pipe(map(() => 0)) : undefined;
      const out = source.pipe(mergeByPriority({ scheduler, lanes: unbatched, handler: slowP3 }), map((batch) => batch[0]!.eventId));
      // a's handler takes 10 frames; b waits for it (lane order), x (P0) does not.
      expectObservable(out).toBe('------x----a---------(b|)');
    });
  });

  it('lets a starving lane take a turn after maxStarvationMs', () => {
    // A clock that each P1 event advances by 1 ms stands in for handler cost.
    const order = (maxStarvationMs: number | null): string[] => {
      const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
      let costMs = 0;
      const scheduler = { now: () => testScheduler.now() + costMs, schedule: testScheduler.schedule.bind(testScheduler) } as SchedulerLike;
      const seen: string[] = [];
      const source = new Subject<Event>();
      source
        .pipe(
          mergeByPriority({
            scheduler,
            sliceEvents: 4,
            lanes: { ...unbatched, p3: { ...one, maxStarvationMs } },
            handler: (batch) => {
              if (batch[0]!.priority === 1) costMs += 1;
            },
          }),
        )
        .subscribe((batch) => seen.push(batch[0]!.eventId));
      source.next(ev('LOG_WRITE', 'l'));
      for (let i = 0; i < 12; i++) source.next(ev('PRICE_TICK', `t${i}`));
      testScheduler.flush();
      return seen;
    };
    const ticks = Array.from({ length: 12 }, (_, i) => `t${i}`);
    expect(order(null)).toEqual([...ticks, 'l']);
    // Slices of 4 events: at the third slice's start the P3 lane has waited 8 ms ≥ 5 ms.
    expect(order(5)).toEqual([...ticks.slice(0, 8), 'l', ...ticks.slice(8)]);
  });

  it('errors the output when the handler fails', marbles((m) => {
    const a = ev('LOG_WRITE', 'a');
    const source = m.hot('-a-', { a });
    const failing = (): Observable<never> => throwError(() => 'boom');
    m.expect(source.pipe(mergeByPriority({ scheduler: m.scheduler, handler: failing, lanes: unbatched }))).toBeObservable('-#', {}, 'boom');
  }));

  it('rejects an invalid value with a typed error naming the field', () => {
    const errors: unknown[] = [];
    const source = new Subject<Event>();
    source.pipe(mergeByPriority()).subscribe({ error: (error: unknown) => errors.push(error) });
    source.next({ eventType: 'NOPE' } as unknown as Event);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EventValidationError);
    expect((errors[0] as EventValidationError).field).toBe('eventId');
  });

  it('emits synchronously settled handler results at once', marbles((m) => {
    const a = ev('LOG_WRITE', 'a');
    const source = m.hot('-a-', { a });
    m.expect(source.pipe(mergeByPriority({ scheduler: m.scheduler, lanes: unbatched, handler: () => of(1) }))).toBeObservable('-a-', { a: [a] });
  }));
});
