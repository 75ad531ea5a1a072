// Compile-only proof (run by `npm run typecheck`) that the generic operators infer the user's own
// value type from the pipe, with no annotation, and keep the library's event as before.
import { of, type Observable } from 'rxjs';
import type { DropRecord, Event, EventPriority, SinkFailure } from '../src/index.js';
import { boundedBlock, collapseByType, dropOldest, mergeByPriority, sample } from '../src/operators/index.js';

/** True only when A and B are the same type (both ways assignable, no `any` leaking in). */
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T>(_value: T): void {}
function assertTrue<T extends true>(): T | void {}

interface Tick {
  readonly symbol: string;
  readonly price: number;
}
declare const tick: Tick;
declare const ready: Observable<void>;
declare const event: Event;

// A user's own type: every operator returns Observable<Tick>, inferred from the source.
export const dropped$ = of(tick).pipe(dropOldest({ capacity: 10, ready }));
assertTrue<Equals<typeof dropped$, Observable<Tick>>>();
export const blocked$ = of(tick).pipe(boundedBlock({ capacity: 10, ready }));
assertTrue<Equals<typeof blocked$, Observable<Tick>>>();
export const sampled$ = of(tick).pipe(sample({ capacity: 10, ready, sampleRate: 0.5 }));
assertTrue<Equals<typeof sampled$, Observable<Tick>>>();
export const collapsed$ = of(tick).pipe(collapseByType({ capacity: 10, ready, key: (t) => t.symbol }));
assertTrue<Equals<typeof collapsed$, Observable<Tick>>>();
export const batches$ = of(tick).pipe(mergeByPriority({ priorityOf: (t) => (t.price > 100 ? 0 : 3) }));
assertTrue<Equals<typeof batches$, Observable<readonly Tick[]>>>();

// The callbacks see the user's type: drop records, failures and canDrop are typed by T.
of(tick).pipe(
  dropOldest({
    capacity: 10,
    ready,
    canDrop: (t) => t.price < 1_000,
    onDrop: (record) => {
      expectType<DropRecord<Tick>>(record);
      expectType<Tick>(record.event);
      // A value that is not an event has no lane of its own in a single operator.
      expectType<EventPriority | null>(record.priority);
    },
    onError: (_error, failure) => expectType<SinkFailure<Tick>>(failure),
  }),
);
// The collapse key may be any type K.
of(tick).pipe(collapseByType({ capacity: 10, ready, key: (t): [string, number] => [t.symbol, Math.round(t.price)] }));
of(1, 2, 3).pipe(collapseByType({ capacity: 10, ready, key: (n) => n % 2 }));

// The library's event keeps its typing: the drop record's priority is a lane, never null.
export const events$ = of(event).pipe(dropOldest({ capacity: 10, ready, onDrop: (record) => expectType<EventPriority>(record.priority) }));
assertTrue<Equals<typeof events$, Observable<Event>>>();
export const eventBatches$ = of(event).pipe(mergeByPriority());
assertTrue<Equals<typeof eventBatches$, Observable<readonly Event[]>>>();

// Wrong uses do not compile.
// @ts-expect-error canDrop takes the stream's own type
of(tick).pipe(dropOldest({ capacity: 10, ready, canDrop: (t: { other: true }) => t.other }));
// @ts-expect-error priorityOf must return an EventPriority
of(tick).pipe(mergeByPriority({ priorityOf: () => 7 }));
// @ts-expect-error the key function reads the stream's own type
of(tick).pipe(collapseByType({ capacity: 10, ready, key: (t) => t.eventType }));
