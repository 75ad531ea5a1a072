import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { script } from './scripts.js';

describe('fuzzing every input boundary (fast-check, seeded)', () => {
  it('events, both YAML configs, state sequences and corrupted CSVs: valid or a typed error, never another exception or a hang', async () => {
    const { fuzz } = await script('fuzz');
    const r = await fuzz!(lib, main, { runs: 40, seed: 3 });
    for (const [name, target] of r.targets as [string, { counts: Record<string, number>; others: string[]; violations?: number }][]) {
      expect({ name, other: target.counts.other, hang: target.counts.hang ?? 0, others: target.others }).toEqual({ name, other: 0, hang: 0, others: [] });
      expect(target.counts.typed).toBeGreaterThan(0);
      expect(target.violations ?? 0).toBe(0);
    }
  }, 120_000);
});
