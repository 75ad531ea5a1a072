import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { script } from './scripts.js';

describe('handler faults over 100 000 events (seeded)', () => {
  it('puts every injected failure on failures$ once, gives up hangs at stop, and loses no event', async () => {
    const { faults } = await script('faults');
    const r = await faults!(lib, { events: 100_000, seed: 2 });
    for (const kind of ['throw', 'reject', 'observable-error', 'throwing-then', 'hang']) expect(r.injected[kind]).toBeGreaterThan(0);
    expect(r.handlerFaultRecords).toBe(r.expectedRecords);
    expect(r.duplicateRecords).toBe(0);
    expect(r.hangsGivenUp).toBe(r.injected.hang);
    expect(r.vanished).toBe(0);
    expect(r.accountingExact).toBe(true);
  }, 60_000);
});
