import { describe, expect, it } from 'vitest';
import { resolveStateConfig } from '../../src/state/config.js';
import { DAY_MS, OverrideError, validateOverride } from '../../src/state/overrides.js';
import { DAY, override } from './fixtures.js';

const config = resolveStateConfig({ override: { maxDurationDays: 7 } });
const START = 100 * DAY; // overrides that do not start at 0, so lengths and ages are not confused
const problem = (value: unknown, now = START): string => {
  try {
    validateOverride(value, config, now);
  } catch (error) {
    expect(error).toBeInstanceOf(OverrideError);
    return (error as Error).message;
  }
  throw new Error('expected the override to be refused');
};

describe('validateOverride', () => {
  it('returns a valid override as it came', () => {
    const o = override('DEFENSIVE', START, 2, 'AGGRESSIVE');
    expect(validateOverride(o, config, START)).toEqual(o);
  });

  it('refuses a value that is not an override object, saying what came', () => {
    expect(problem(null)).toBe('override.override: expected a manual override object, got null');
    expect(problem([1])).toBe('override.override: expected a manual override object, got [1]');
    expect(problem(5)).toBe('override.override: expected a manual override object, got 5');
    expect(problem(undefined)).toBe('override.override: expected a manual override object, got nothing');
    expect(problem('DEFENSIVE')).toBe('override.override: expected a manual override object, got "DEFENSIVE"');
  });

  it('names unknown fields', () => {
    expect(problem({ ...override('DEFENSIVE', START, 1), ttl: 5, user: 'x' })).toBe('override.ttl, user: unknown field');
  });

  it('names a malformed or missing field with what it got', () => {
    const { operatorId: _omit, ...missing } = override('DEFENSIVE', START, 1);
    expect(problem(missing)).toMatch(/^override\.operatorId: .+, got nothing$/);
    expect(problem({ ...override('DEFENSIVE', START, 1), overrideState: 'PANIC' })).toMatch(/^override\.overrideState: .+, got "PANIC"$/);
    expect(problem({ ...override('DEFENSIVE', START, 1), expiryTime: Number.POSITIVE_INFINITY })).toMatch(/^override\.expiryTime: .+, got Infinity$/);
  });

  it('refuses an expiry that is not after the override time', () => {
    const o = override('DEFENSIVE', START, 0);
    expect(problem(o)).toBe(`override.expiryTime: expected after overrideTime ${START}, got ${START}`);
    expect(problem({ ...o, expiryTime: START - 1 })).toBe(`override.expiryTime: expected after overrideTime ${START}, got ${START - 1}`);
  });

  it('accepts exactly the maximum length and refuses a millisecond more, whatever the override time', () => {
    const longest = override('DEFENSIVE', START, 7);
    expect(validateOverride(longest, config, START).expiryTime - START).toBe(7 * DAY_MS);
    expect(problem({ ...longest, expiryTime: longest.expiryTime + 1 })).toBe('override.expiryTime: expected at most 7 days after overrideTime, got 7 days');
    expect(problem(override('DEFENSIVE', START, 7.5))).toBe('override.expiryTime: expected at most 7 days after overrideTime, got 7.5 days');
    expect(problem(override('DEFENSIVE', START, 8.1234))).toBe('override.expiryTime: expected at most 7 days after overrideTime, got 8.123 days');
  });

  it('measures the maximum length with the configured limit', () => {
    const strict = resolveStateConfig({ override: { maxDurationDays: 1 } });
    expect(() => validateOverride(override('DEFENSIVE', START, 1), strict, START)).not.toThrow();
    expect(() => validateOverride(override('DEFENSIVE', START, 2), strict, START)).toThrow('expected at most 1 days after overrideTime, got 2 days');
  });

  it('refuses an override whose expiry has already passed, or is now', () => {
    const o = override('DEFENSIVE', START, 2);
    expect(problem(o, START + 3 * DAY)).toBe(`override.expiryTime: expected after now (${START + 3 * DAY}), got ${o.expiryTime}`);
    expect(problem(o, o.expiryTime)).toBe(`override.expiryTime: expected after now (${o.expiryTime}), got ${o.expiryTime}`);
    expect(validateOverride(o, config, o.expiryTime - 1)).toEqual(o);
  });
});

describe('OverrideError', () => {
  it('names the field and the problem, as fields and in the message', () => {
    const error = new OverrideError('expiryTime', 'expected after now (5), got 4');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OverrideError');
    expect([error.field, error.problem, error.message]).toEqual(['expiryTime', 'expected after now (5), got 4', 'override.expiryTime: expected after now (5), got 4']);
  });
});

describe('DAY_MS', () => {
  it('is one day in milliseconds', () => {
    expect(DAY_MS).toBe(DAY);
  });
});
