import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { script } from './scripts.js';

describe('a flood of 100 000 mixed events (seeded)', () => {
  it('loses no P0, keeps the accounting exact, and reports every drop with its reason', async () => {
    const { flood } = await script('flood');
    const r = await flood!(lib, { events: 100_000, seed: 1 });
    expect(r.p0Sent).toBeGreaterThan(500);
    expect(r.p0Lost).toBe(0);
    expect(r.accountingExact).toBe(true);
    expect(r.dropsWithReason).toBeGreaterThan(0);
    expect(r.dropsWithReason).toBe(r.dropsCounted);
  }, 60_000);
});
