// rxjs-spy on the library's named streams: tag them through the instrumentation hook, then show().
import { Subject } from 'rxjs';
import { create } from 'rxjs-spy';
import { tag } from 'rxjs-spy/operators';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEvent, setInstrumentation, type Event } from 'qts-reactive';
import { dropOldest } from 'qts-reactive/operators';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((cleanup) => cleanup()));

describe('rxjs-spy', () => {
  it('show() lists the tagged streams with their last values', () => {
    // A plain create(): show() and stats() read the snapshots its default plugins take.
    const spy = create({ warning: false });
    cleanups.push(() => spy.teardown());
    // Before the streams are built: every stream given a `name` is tagged with it.
    cleanups.push(setInstrumentation((name) => tag(name)));

    const ticks = new Subject<Event>();
    const ready = new Subject<void>();
    const seen: string[] = [];
    const subscription = ticks.pipe(dropOldest({ capacity: 10, ready, name: 'ticks' })).subscribe((e) => seen.push(e.eventId));
    cleanups.push(() => subscription.unsubscribe());
    ticks.next(createEvent('PRICE_TICK', { eventId: 't1', payload: { symbol: 'SPX', price: 3000 } }));
    ready.next();

    const shown: string[] = [];
    spy.show('ticks', { log: (...args: unknown[]) => shown.push(args.map(String).join(' ')) });
    expect(seen).toEqual(['t1']);
    expect(shown.join('\n')).toMatch(/Tag = ticks[\s\S]*Value count = 1/);
  });

  it('show() has nothing to show with create({ defaultPlugins: false })', () => {
    const spy = create({ defaultPlugins: false, warning: false });
    cleanups.push(() => spy.teardown());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    cleanups.push(() => warn.mockRestore());
    spy.show({ log: () => undefined });
    // rxjs-spy warns on the console: without the snapshot plugin there is nothing to show.
    expect(warn).toHaveBeenCalledWith('Snapshotting is not enabled.');
  });
});
