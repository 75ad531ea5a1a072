import { describe, expect, it } from 'vitest';
import { EVENT_PRIORITY_MAP, EventType } from '../src/index.js';

describe('EVENT_PRIORITY_MAP', () => {
  it('maps all 23 types', () => {
    expect(Object.keys(EVENT_PRIORITY_MAP).sort()).toEqual(Object.values(EventType).sort());
  });
});
