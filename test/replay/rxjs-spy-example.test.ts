import { describe, it, expect, vi } from 'vitest';

// The example imports the package by name, as a user would; here that name is this source tree.
vi.mock('qts-reactive', async () => await import('../../src/index.js'));
vi.mock('qts-reactive/operators', async () => await import('../../src/operators/index.js'));

describe('docs/examples/rxjs-spy.mjs (the rxjs-spy example of docs/debugging.md)', () => {
  it('tags the lanes and the operating state, and rxjs-spy logs what flows through them', async () => {
    // @ts-expect-error an untyped JavaScript example
    const { runSpyExample } = (await import('../../docs/examples/rxjs-spy.mjs')) as {
      runSpyExample: (log: (line: string) => void) => Promise<string>;
    };
    const lines: string[] = [];
    const finalState = await runSpyExample((line) => lines.push(line));
    const tagged = lines.map((l) => /^Tag = ([^;]+); notification = next; .*value = (.*)$/.exec(l)).filter((m) => m !== null).map((m) => `${m[1]}: ${m[2]}`);
    expect(tagged).toEqual([
      'lanes: [FILL_CONFIRMED]',
      'lanes: [PRICE_TICK]',
      'lanes: [LOG_WRITE]',
      'desk.state: BALANCED',
      'dispatcher.drops: evicted PRICE_TICK {"symbol":"SPX","price":3001}',
      'desk.state: DEFENSIVE',
      'desk.transitions: BALANCED -> DEFENSIVE (RULE: BALANCED_TO_DEFENSIVE: vix 35 > 30)',
    ]);
    expect(finalState).toBe('DEFENSIVE');
  });

  it('restores the identity hook afterwards', async () => {
    const { instrument } = await import('../../src/debug/instrument.js');
    const { identity } = await import('rxjs');
    expect(instrument('anything')).toBe(identity);
  });
});
