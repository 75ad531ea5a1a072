// Which items a COLLAPSE lane may collapse, when its owner decides through the `canCollapse`
// option (the generic operators, whose items are not the library's events).
import { describe, expect, it } from 'vitest';
import { OfferOutcome, type DropRecord, type SinkFailure } from '../../src/event/buffer/types.js';
import { CollapseLaneBuffer } from '../../src/event/buffer/collapse.js';
import { LaneConfigError } from '../../src/event/buffer/errors.js';
import { drainIds, ev } from '../support/events.js';

describe('the canCollapse option of a COLLAPSE lane', () => {
  it('refuses a canCollapse that is not a function, naming the option and what it must be', () => {
    const build = (): CollapseLaneBuffer =>
      new CollapseLaneBuffer({ capacity: 4, canCollapse: true as unknown as () => boolean });
    expect(build).toThrow(LaneConfigError);
    expect(build).toThrow('canCollapse: expected a function (event) => boolean, got true');
  });

  it('collapses only what canCollapse allows, whatever the events’ own flags say', () => {
    const drops: DropRecord[] = [];
    const lane = new CollapseLaneBuffer({
      capacity: 4,
      collapseKey: () => 'one key',
      canCollapse: (event) => event.eventId !== 'keep',
      onDrop: (record) => drops.push(record),
    });
    lane.offer(ev('a', { canCollapse: false }), 0);
    lane.offer(ev('keep', { canCollapse: true }), 0);
    lane.offer(ev('b', { canCollapse: false }), 0);
    expect(drops.map((d) => `${d.event.eventId}:${d.reason}`)).toEqual(['a:collapsed']);
    expect(drainIds(lane)).toEqual(['b', 'keep']);
  });

  it('keeps an item uncollapsed and queued when canCollapse throws, and reports it as a collapseKey failure', () => {
    const failures: { error: unknown; failure: SinkFailure }[] = [];
    const drops: DropRecord[] = [];
    const lane = new CollapseLaneBuffer({
      capacity: 4,
      collapseKey: () => 'one key',
      canCollapse: (event) => {
        if (event.eventId === 'b') throw new Error('cannot tell');
        return true;
      },
      onDrop: (record) => drops.push(record),
      onError: (error, failure) => failures.push({ error, failure }),
    });
    expect(lane.offer(ev('a'), 0)).toBe(OfferOutcome.QUEUED);
    expect(lane.offer(ev('b'), 0)).toBe(OfferOutcome.QUEUED);
    expect(drops).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.failure.sink).toBe('collapseKey');
    expect(failures[0]?.failure.event.eventId).toBe('b');
    expect((failures[0]?.error as Error).message).toBe('cannot tell');
    expect(lane.counters.sinkFailures).toBe(1);
    expect(lane.counters.collapsed).toBe(0);
    expect(drainIds(lane)).toEqual(['a', 'b']);
  });
});
