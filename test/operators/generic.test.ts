import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import type { DropRecord, SinkFailure } from '../../src/index.js';
import { PriorityOfError, boundedBlock, collapseByType, dropOldest, mergeByPriority, sample } from '../../src/operators/index.js';
import { numbers, parseDiagram, quotes, standardCases, testScheduler, type Quote } from './harness.js';

// The same diagrams as the library's events take (see each operator's own test), on a user's own
// values: plain `{ symbol, price }` quotes and plain numbers. Nothing here is an event.
const diagrams = {
  boundedBlock: `
source: -a-b-c-d|
ready : ---------r--r--r--r-
out   : ---------a--b--c--(d|)
`,
  dropOldest: `
source: -a-b-c-d--------
ready : ---------r--r---
out   : ---------c--d---
`,
  sample: `
source: -a-b-c-d-e-|
ready : -------------r-r-
out   : -------------b-(d|)
`,
};

const symbolOf = (quote: Quote): string => quote.symbol;

// The policy-dependent standard cases, as the events give them (see each operator's own test).
const policyOutcomes = {
  dropOldest: {
    overflowOfOne: { out: ['b'], drops: ['a:evicted'] },
    drainWhileFull: { capacity: 2, source: '-a-b-c-d|', ready: '----------r-r-r', out: '----------c-(d|)' },
  },
  sample: {
    overflowOfOne: { out: ['a'], drops: ['b:sampled'] },
    drainWhileFull: { capacity: 2, source: '-a-b-c|', ready: '--------r-r', out: '--------a-(b|)' },
  },
};
const drained = <T>(drops: DropRecord<T>[], idOf: (value: T) => string): string[] =>
  drops.map((d) => `${idOf(d.event)}:${d.reason}@${d.at}:P${String(d.priority)}`);

describe('generic operators on plain quotes', () => {
  it('boundedBlock: its diagram holds for quotes, nothing dropped', () => {
    const { source, ready, out } = parseDiagram(diagrams.boundedBlock);
    const drops: DropRecord<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(source!, quotes).pipe(boundedBlock({ capacity: 2, ready: cold(ready!), onDrop: (d) => drops.push(d) }))).toBe(out!, quotes);
    });
    expect(drops).toEqual([]);
  });

  it('dropOldest: a and b are evicted and reported with the quote itself and no lane', () => {
    const { source, ready, out } = parseDiagram(diagrams.dropOldest);
    const drops: DropRecord<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(source!, quotes).pipe(dropOldest({ capacity: 2, ready: cold(ready!), onDrop: (d) => drops.push(d) }))).toBe(out!, quotes);
    });
    expect(drained(drops, symbolOf)).toEqual(['a:evicted@5:Pnull', 'b:evicted@7:Pnull']);
    expect(drops[0]!.event).toBe(quotes.a);
  });

  it('sample: c and e are sampled out, d evicts a', () => {
    const { source, ready, out } = parseDiagram(diagrams.sample);
    const drops: DropRecord<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold(source!, quotes).pipe(sample({ capacity: 2, sampleRate: 0.5, ready: cold(ready!), onDrop: (d) => drops.push(d) }));
      expectObservable(result).toBe(out!, quotes);
    });
    expect(drained(drops, symbolOf)).toEqual(['c:sampled@5:Pnull', 'a:evicted@7:Pnull', 'e:sampled@9:Pnull']);
  });

  it('collapseByType with key: a newer quote of a symbol replaces the buffered one in place', () => {
    const values = { x: { symbol: 'AAPL', price: 1 }, X: { symbol: 'AAPL', price: 2 }, y: { symbol: 'MSFT', price: 3 } };
    const drops: DropRecord<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-x-y-X-----|', values).pipe(
        collapseByType({ capacity: 3, ready: cold('-------r-r---'), key: (q) => q.symbol, onDrop: (d) => drops.push(d) }),
      );
      expectObservable(result).toBe('-------X-y-|', values);
    });
    expect(drops.map((d) => `${d.event.price}:${d.reason}@${d.at}`)).toEqual(['1:collapsed@5']);
  });

  it('canDrop: quotes it refuses to drop are never evicted (the lane holds them)', () => {
    const drops: DropRecord<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c-d|', quotes).pipe(
        dropOldest({ capacity: 2, ready: cold('----------r-r-r'), canDrop: (q) => q.symbol !== 'a', onDrop: (d) => drops.push(d) }),
      );
      expectObservable(result).toBe('----------a-(d|)', quotes);
    });
    expect(drained(drops, symbolOf)).toEqual(['b:evicted@5:Pnull', 'c:evicted@7:Pnull']);
  });

  standardCases<Quote>(dropOldest, policyOutcomes.dropOldest, quotes, symbolOf);
});

describe('generic operators on plain numbers', () => {
  it('dropOldest: its diagram holds for numbers', () => {
    const { source, ready, out } = parseDiagram(diagrams.dropOldest);
    const drops: DropRecord<number>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold(source!, numbers).pipe(dropOldest({ capacity: 2, ready: cold(ready!), onDrop: (d) => drops.push(d) }))).toBe(out!, numbers);
    });
    expect(drops.map((d) => d.event)).toEqual([1, 2]);
  });

  it('collapseByType keys numbers by parity', () => {
    const drops: DropRecord<number>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c-d-|', numbers).pipe(
        collapseByType({ capacity: 4, ready: cold('----------rr'), key: (n) => n % 2, onDrop: (d) => drops.push(d) }),
      );
      // a (1) and c (3) share a key, b (2) and d (4) another: c replaces a, d replaces b.
      expectObservable(result).toBe('----------c(d|)', numbers);
    });
    expect(drops.map((d) => `${d.event}:${d.reason}`)).toEqual(['1:collapsed', '2:collapsed']);
  });

  standardCases<number>((options) => sample(options), policyOutcomes.sample, numbers, (n) => 'abcdefghijklmnopqrstuvwxyz'[n - 1]!);
});

describe('generic operators: bad user functions never break the stream', () => {
  it('a canDrop that throws keeps its value (undroppable), reports it, and the stream carries on', () => {
    const failures: SinkFailure<Quote>[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b-c|', quotes).pipe(
        dropOldest({
          capacity: 1,
          ready: cold('--------r-r-r'),
          canDrop: (q) => {
            if (q.symbol === 'a') throw new Error('no verdict');
            return true;
          },
          onError: (_error, failure) => failures.push(failure),
        }),
      );
      // a is kept (never evicted); b and c find only a queued and are refused (reported as evicted).
      expectObservable(result).toBe('--------(a|)', quotes);
    });
    expect(failures).toEqual([{ sink: 'canDrop', event: quotes.a }]);
  });

  it('a key that throws leaves the value uncollapsed, reported on onError', () => {
    const failures: string[] = [];
    const values = { x: { symbol: 'AAPL', price: 1 }, X: { symbol: 'AAPL', price: 2 } };
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-x-X|', values).pipe(
        collapseByType({
          capacity: 3,
          ready: cold('-----rr'),
          key: (q) => {
            if (q.price === 2) throw new Error('bad key');
            return q.symbol;
          },
          onError: (_error, failure) => failures.push(`${failure.sink}:${failure.event.price}`),
        }),
      );
      expectObservable(result).toBe('-----x(X|)', values);
    });
    expect(failures).toEqual(['collapseKey:2']);
  });

  it('a value without a key (undefined) is buffered uncollapsed and reported', () => {
    const failures: unknown[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('-a-b|', numbers).pipe(collapseByType({ capacity: 3, ready: cold('-----rr'), onError: (error) => failures.push(error) }));
      expectObservable(result).toBe('-----a(b|)', numbers);
    });
    expect(failures.map((e) => (e as Error).message)).toEqual(['collapseKey: expected a key, got nothing', 'collapseKey: expected a key, got nothing']);
  });
});

describe('mergeByPriority on a user type, with priorityOf', () => {
  interface Order {
    readonly id: string;
    readonly urgent: boolean;
  }
  const orders: Record<string, Order> = { a: { id: 'a', urgent: false }, c: { id: 'c', urgent: false }, X: { id: 'X', urgent: true } };
  const one = { batchSize: 1, batchTimeoutMs: 0 };
  const unbatched = { p0: one, p1: one, p2: one, p3: one };

  it('routes by priorityOf: of one turn, the higher lane goes first', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a--(cX)--|', orders);
      const result = source.pipe(mergeByPriority({ lanes: unbatched, priorityOf: (o) => (o.urgent ? 0 : 3) }));
      expectObservable(result).toBe('-a--(Xc)--|', { a: [orders.a], c: [orders.c], X: [orders.X] });
    });
  });

  it('batches plain values (they carry no canBatch flag)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-c-d-------|', numbers);
      const lanes = { p1: { batchSize: 3, batchTimeoutMs: 5 } };
      expectObservable(source.pipe(mergeByPriority({ lanes, priorityOf: () => 1 }))).toBe('-----B------D--|', { B: [1, 2, 3], D: [4] });
    });
  });

  it('errors with a PriorityOfError naming a priority outside 0–3 and the value', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-|', numbers);
      const result = source.pipe(mergeByPriority({ lanes: unbatched, priorityOf: (n) => (n === 2 ? (7 as 0) : 3) }));
      expectObservable(result).toBe('-a-#', { a: [1] }, new PriorityOfError(2, 7));
    });
    expect(new PriorityOfError(2, 7).message).toBe('priorityOf: expected an EventPriority (0, 1, 2 or 3), got 7 for 2');
  });

  it('a priorityOf that throws sends its value to P3 and reports it; the merge carries on', () => {
    const failures: string[] = [];
    testScheduler().run(({ hot, expectObservable }) => {
      const source = hot('-a-b-|', numbers);
      const result = source.pipe(
        mergeByPriority({
          lanes: unbatched,
          priorityOf: (n) => {
            if (n === 1) throw new Error('unknown');
            return 0;
          },
          onError: (_error, failure) => failures.push(`${failure.sink}:${failure.event}`),
        }),
      );
      expectObservable(result).toBe('-a-b-|', { a: [1], b: [2] });
    });
    expect(failures).toEqual(['priorityOf:1']);
  });

  it('refuses null with a typed error instead of crashing', () => {
    const seen: unknown[] = [];
    const source = new Subject<number | null>();
    source.pipe(mergeByPriority({ priorityOf: () => 1 })).subscribe({ error: (error: unknown) => seen.push(error) });
    source.next(null);
    expect(seen[0]).toBeInstanceOf(PriorityOfError);
    expect((seen[0] as Error).message).toBe('mergeByPriority: expected a value to route, got null');
  });
});
