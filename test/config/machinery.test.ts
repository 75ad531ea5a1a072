import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { editDistance, nearestKey, snakeToCamel } from '../../src/config/keys.js';
import { deepFreeze } from '../../src/common/plain.js';
import { camelizeKeys, deepMerge } from '../../src/config/merge.js';

describe('snakeToCamel', () => {
  it.each([
    ['batch_timeout_ms', 'batchTimeoutMs'],
    ['win_rate_30d', 'winRate30d'],
    ['p0_depth', 'p0Depth'],
    ['capacity', 'capacity'],
  ])('%s → %s', (snake, camel) => {
    expect(snakeToCamel(snake)).toBe(camel);
  });

  it('camelizes nested mappings and leaves values alone', () => {
    expect(camelizeKeys({ alerts: { p3_depth: null, p0_depth: { warning: 1 } }, list_key: [{ inner_key: 'a_b' }] })).toEqual({
      alerts: { p3Depth: null, p0Depth: { warning: 1 } },
      listKey: [{ innerKey: 'a_b' }],
    });
  });
});

describe('nearestKey', () => {
  const lane = ['capacity', 'overflow_policy', 'batch_size', 'batch_timeout_ms', 'sample_rate', 'concurrency', 'max_starvation_ms'];
  it.each([
    ['capacty', 'capacity'],
    ['Capacity', 'capacity'],
    ['batchSize', 'batch_size'],
    ['batch-timeout-ms', 'batch_timeout_ms'],
    ['overflow', 'overflow_policy'],
    ['samplerate', 'sample_rate'],
  ])('%s → %s', (typo, meant) => {
    expect(nearestKey(typo, lane)).toBe(meant);
  });

  it('suggests nothing when nothing is close', () => {
    expect(nearestKey('colour', lane)).toBeUndefined();
  });

  it('edit distance is a metric on small strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b, c) => {
        expect(editDistance(a, a)).toBe(0);
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
      }),
    );
  });
});

describe('deepMerge', () => {
  const plain = fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.integer(), fc.constant(null), fc.dictionary(fc.string({ maxLength: 3 }), fc.integer())));

  it('merging nothing, or an empty mapping, keeps the base', () => {
    fc.assert(
      fc.property(plain, (base) => {
        expect(deepMerge(base, undefined)).toBe(base);
        expect(deepMerge(base, {})).toEqual(base);
      }),
    );
  });

  it('every written leaf wins, and neither argument is modified', () => {
    fc.assert(
      fc.property(plain, plain, (base, override) => {
        const before = JSON.stringify([base, override]);
        const merged = deepMerge(base, override) as Record<string, unknown>;
        for (const [key, value] of Object.entries(override)) {
          if (value === null || typeof value !== 'object') expect(merged[key]).toBe(value);
        }
        expect(JSON.stringify([base, override])).toBe(before);
      }),
    );
  });

  it('merges nested mappings key by key; null and lists replace', () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, d: [1, 2], e: { f: 1 } }, { a: { c: 3 }, d: [9], e: null })).toEqual({
      a: { b: 1, c: 3 },
      d: [9],
      e: null,
    });
  });
});

describe('deepFreeze', () => {
  it('freezes every level', () => {
    const value = deepFreeze({ a: { b: [{ c: 1 }] } });
    expect(Object.isFrozen(value.a.b[0])).toBe(true);
  });
});

describe('ConfigError message', () => {
  it('leaves out what is unknown', () => {
    expect(new ConfigError({ keyPath: 'event.x', expected: 'a number', received: '"a"' }).message).toBe('event.x: expected a number, got "a"');
    expect(new ConfigError({ file: 'f.yaml', keyPath: 'event.x', expected: 'a number', received: 'null' }).message).toBe(
      'f.yaml event.x: expected a number, got null',
    );
    expect(new ConfigError({ file: null, line: 2, column: 3, keyPath: 'k', expected: 'e', received: 'r' }).message).toBe('2:3 k: expected e, got r');
  });
});
