import { describe, expect, it } from 'vitest';
import { builtLibrary, script } from './scripts.js';

describe('crash-restart of a state writer (seeded SIGKILLs)', () => {
  it('5 kills over a 60-day timeline: never a corrupt snapshot, the same timeline as an uninterrupted run, no stale temp file', async () => {
    const { crashRestart } = await script('crash');
    const r = await crashRestart!({ distIndex: builtLibrary(), kills: 5, days: 60, seed: 4 });
    expect(r.kills).toBe(5);
    expect(r.corruptLoads).toBe(0);
    expect(r.sameTimeline).toBe(true);
    expect(r.staleTempFiles).toBe(0);
  }, 120_000);
});
