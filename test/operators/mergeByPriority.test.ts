import { describe, it, expect } from 'vitest';
import { EMPTY, NEVER, Subject, of, throwError, timer, map, type Observable, type SchedulerLike } from 'rxjs';
import { EventValidationError, type Event } from '../../src/event/contracts.js';
import { mergeByPriority } from '../../src/operators/mergeByPriority.js';
import type { DropRecord } from '../../src/event/buffer/types.js';
import { ev } from '../support/events.js';
import { expectDocumented, expectInstrumentedByName, parseDiagram, testScheduler } from './harness.js';

const priorityDiagram = `
source: -a--(cX)--|        a, c: P3 events; X: a P0 event; one event per batch
output: -a--(Xc)--|        X arrived after c in the same turn, and goes first
`;

const batchingDiagram = `
source: -a-b-c-d-------|   P1 events; batchSize 3, batchTimeoutMs 5
output: -----B------D--|   B = [a, b, c] (count); D = [d] (time: its window opened at d,
                            after the count flush, and closed 5 frames later)
`;

const one = { batchSize: 1, batchTimeoutMs: 0 };
const unbatched = { p0: one, p1: one, p2: one, p3: one };

describe('mergeByPriority', () => {
  it('matches its first diagram: of one turn, the higher lane goes first', () => {
    const { source, output } = parseDiagram(priorityDiagram);
    const a = ev('a', { type: 'LOG_WRITE' });
    const c = ev('c', { type: 'LOG_WRITE' });
    const X = ev('X', { type: 'FILL_CONFIRMED' });
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const result = hot(source!, { a, c, X }).pipe(mergeByPriority({ lanes: unbatched, scheduler }));
      expectObservable(result).toBe(output!, { a: [a], c: [c], X: [X] });
    });
  });

  it('matches its second diagram: batches like groupedWithin, a count flush restarts the window', () => {
    const { source, output } = parseDiagram(batchingDiagram);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => ev(id, { type: 'PRICE_TICK' })) as [Event, Event, Event, Event];
    const lanes = { p1: { batchSize: 3, batchTimeoutMs: 5 } };
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot(source!, { a, b, c, d }).pipe(mergeByPriority({ lanes, scheduler }))).toBe(output!, { B: [a, b, c], D: [d] });
    });
  });

  it('documents the same diagrams in its doc comment and docs page', () => {
    expectDocumented(priorityDiagram, 'mergeByPriority');
    expectDocumented(batchingDiagram, 'mergeByPriority');
  });

  it('flushes a partial batch on completion and never emits an empty batch', () => {
    const [a, b] = ['a', 'b'].map((id) => ev(id, { type: 'PRICE_TICK' })) as [Event, Event];
    const lanes = { p1: { batchSize: 10, batchTimeoutMs: 100 } };
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-b|', { a, b }).pipe(mergeByPriority({ lanes, scheduler }))).toBe('----(B|)', { B: [a, b] });
    });
  });

  it('never batches P0 and sends canBatch:false events alone', () => {
    const x = ev('x', { type: 'FILL_CONFIRMED' });
    const y = ev('y', { type: 'FILL_PARTIAL' });
    const a = ev('a', { type: 'PRICE_TICK' });
    const n = ev('n', { type: 'PRICE_TICK', canBatch: false });
    const b = ev('b', { type: 'PRICE_TICK' });
    const lanes = { p0: { batchSize: 10 }, p1: { batchSize: 10, batchTimeoutMs: 0 } };
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-(xyanb)-|', { x, y, a, n, b }).pipe(mergeByPriority({ lanes, scheduler }))).toBe('-(XYANB)-|', {
        X: [x],
        Y: [y],
        A: [a],
        N: [n],
        B: [b],
      });
    });
  });

  describe('standard cases', () => {
    it('completes at once for an empty source', () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable }) => {
        expectObservable(EMPTY.pipe(mergeByPriority({ scheduler }))).toBe('|');
      });
    });

    it('stays silent for a silent source', () => {
      const scheduler = testScheduler();
      scheduler.run(({ expectObservable }) => {
        expectObservable(NEVER.pipe(mergeByPriority({ scheduler }))).toBe('-');
      });
    });

    it('passes a source error through', () => {
      const scheduler = testScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        expectObservable(cold('--#').pipe(mergeByPriority({ scheduler }))).toBe('--#');
      });
    });

    it('unsubscribes from the source when the output is unsubscribed', () => {
      const scheduler = testScheduler();
      scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a---', { a: ev('a', { type: 'LOG_WRITE' }) });
        const subs = '^--!';
        expectObservable(source.pipe(mergeByPriority({ scheduler, lanes: unbatched })), subs).toBe('-a-', { a: [ev('a', { type: 'LOG_WRITE' })] });
        expectSubscriptions(source.subscriptions).toBe(subs);
      });
    });

    it('reports evictions of a capacity-1 lane with the dropped event', () => {
      const scheduler = testScheduler();
      const drops: DropRecord[] = [];
      const out: (readonly Event[])[] = [];
      const a = ev('a', { type: 'PRICE_TICK' });
      const b = ev('b', { type: 'PRICE_TICK' });
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

    it('passes its output through the instrumentation hook under its name', () => {
      expectInstrumentedByName((name) => mergeByPriority(name === undefined ? {} : { name }));
    });
  });

  // Regression: nothing may vanish silently. Events still queued in the lanes when the output ends
  // by unsubscription or by an error are reported to onDrop as 'shutdown', as the other buffering
  // operators report theirs.
  describe('events still queued at teardown are reported as shutdown drops', () => {
    it('reports events still queued at unsubscription to onDrop as shutdown', () => {
      const scheduler = testScheduler();
      const drops: DropRecord[] = [];
      const out: (readonly Event[])[] = [];
      const source = new Subject<Event>();
      const subscription = source
        .pipe(mergeByPriority({ scheduler, lanes: { p1: { batchSize: 10, batchTimeoutMs: 100 } }, onDrop: (r) => drops.push(r) }))
        .subscribe((batch) => out.push(batch));
      source.next(ev('a', { type: 'PRICE_TICK' }));
      source.next(ev('b', { type: 'PRICE_TICK' }));
      scheduler.schedule(() => subscription.unsubscribe(), 50); // before the 100 ms batch window closes
      scheduler.flush();
      expect(out).toEqual([]);
      expect(drops.map((d) => [d.event.eventId, d.reason, d.priority])).toEqual([
        ['a', 'shutdown', 1],
        ['b', 'shutdown', 1],
      ]);
    });

    it('reports events still queued when the source errors', () => {
      const scheduler = testScheduler();
      const drops: DropRecord[] = [];
      let failure: unknown;
      const source = new Subject<Event>();
      source
        .pipe(mergeByPriority({ scheduler, lanes: { p3: { batchSize: 10, batchTimeoutMs: 100 } }, onDrop: (r) => drops.push(r) }))
        .subscribe({ error: (error: unknown) => (failure = error) });
      source.next(ev('a', { type: 'LOG_WRITE' }));
      source.error(new Error('feed down'));
      scheduler.flush();
      expect((failure as Error).message).toBe('feed down');
      expect(drops.map((d) => [d.event.eventId, d.reason])).toEqual([['a', 'shutdown']]);
    });
  });

  it('keeps one batch in flight per lane (concurrency 1) while another lane runs on', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const [a, b] = ['a', 'b'].map((id) => ev(id, { type: 'LOG_WRITE' })) as [Event, Event];
      const x = ev('x', { type: 'FILL_CONFIRMED' });
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
      const virtual = testScheduler();
      let costMs = 0;
      const scheduler = { now: () => virtual.now() + costMs, schedule: virtual.schedule.bind(virtual) } as SchedulerLike;
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
      source.next(ev('l', { type: 'LOG_WRITE' }));
      for (let i = 0; i < 12; i++) source.next(ev(`t${i}`, { type: 'PRICE_TICK' }));
      virtual.flush();
      return seen;
    };
    const ticks = Array.from({ length: 12 }, (_, i) => `t${i}`);
    expect(order(null)).toEqual([...ticks, 'l']);
    // Slices of 4 events: at the third slice's start the P3 lane has waited 8 ms ≥ 5 ms.
    expect(order(5)).toEqual([...ticks.slice(0, 8), 'l', ...ticks.slice(8)]);
  });

  it('errors the output when the handler fails', () => {
    const a = ev('a', { type: 'LOG_WRITE' });
    const failing = (): Observable<never> => throwError(() => 'boom');
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-', { a }).pipe(mergeByPriority({ scheduler, handler: failing, lanes: unbatched }))).toBe('-#', {}, 'boom');
    });
  });

  it('rejects an invalid value with a typed error naming the field', () => {
    const errors: unknown[] = [];
    const source = new Subject<Event>();
    source.pipe(mergeByPriority()).subscribe({ error: (error: unknown) => errors.push(error) });
    source.next({ eventType: 'NOPE' } as unknown as Event);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(EventValidationError);
    expect((errors[0] as EventValidationError).field).toBe('eventId');
  });

  it('emits synchronously settled handler results at once', () => {
    const a = ev('a', { type: 'LOG_WRITE' });
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-', { a }).pipe(mergeByPriority({ scheduler, lanes: unbatched, handler: () => of(1) }))).toBe('-a-', { a: [a] });
    });
  });
});
