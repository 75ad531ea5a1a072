// Which items a lane may drop, when its owner decides through the `canDrop` option (the generic
// operators, whose items need not be the library's events), and what their drop records carry.
import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/event/contracts.js';
import { OfferOutcome, type DropRecord } from '../../src/event/buffer/types.js';
import { DropOldestLaneBuffer } from '../../src/event/buffer/dropOldest.js';
import { LaneConfigError } from '../../src/event/buffer/errors.js';

describe('the canDrop option of a lane', () => {
  it('refuses a canDrop that is not a function, naming the option', () => {
    const build = (): DropOldestLaneBuffer => new DropOldestLaneBuffer({ capacity: 1, canDrop: 'yes' as never });
    expect(build).toThrow(LaneConfigError);
    expect(build).toThrow('canDrop: expected a function or undefined, got "yes"');
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 7],
  ])('evicts an item that is %s with a drop record whose priority is null', (_name, item) => {
    const drops: DropRecord[] = [];
    const lane = new DropOldestLaneBuffer({ capacity: 1, canDrop: () => true, onDrop: (record) => drops.push(record) });
    expect(lane.offer(item as unknown as Event, 0)).toBe(OfferOutcome.QUEUED);
    expect(lane.offer('next' as unknown as Event, 1)).toBe(OfferOutcome.QUEUED);
    expect(drops).toHaveLength(1);
    expect(drops[0]?.event).toBe(item);
    expect(drops[0]?.priority).toBeNull();
    expect(drops[0]?.reason).toBe('evicted');
  });
});
