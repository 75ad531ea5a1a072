import { describe, expect, it } from 'vitest';
import { describeValue } from '../../src/common/describe.js';

describe('describeValue', () => {
  it('describes received values by kind', () => {
    expect([undefined, null, 'x', -5, true, [1], {}].map(describeValue)).toEqual(['nothing', 'null', '"x"', '-5', 'true', 'a list', 'a mapping']);
  });

  it('writes numbers, booleans and bigints as a reader would type them', () => {
    expect([0, -0.5, Number.NaN, Infinity, false, 10n].map(describeValue)).toEqual(['0', '-0.5', 'NaN', 'Infinity', 'false', '10n']);
  });

  it('quotes strings, escaping what JSON escapes', () => {
    expect(describeValue('')).toBe('""');
    expect(describeValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(describeValue('1')).toBe('"1"');
  });

  it('names functions and symbols by kind, never by their text', () => {
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(class Lane {})).toBe('a function');
    expect(describeValue(Symbol('secret'))).toBe('a symbol');
  });

  it('calls plain and null-prototype objects a mapping, and lists a list whatever they hold', () => {
    expect(describeValue({ a: { b: 1 } })).toBe('a mapping');
    expect(describeValue(Object.create(null))).toBe('a mapping');
    expect(describeValue([])).toBe('a list');
    expect(describeValue(new Array(3))).toBe('a list');
  });

  it('names an instance by its class, with "an" before a vowel', () => {
    expect(describeValue(new Date(0))).toBe('a Date');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(new Error('x'))).toBe('an Error');
    expect(describeValue(new (class Order {})())).toBe('an Order');
    expect(describeValue(new (class Instrument {})())).toBe('an Instrument');
    expect(describeValue(new (class Aggregate {})())).toBe('an Aggregate');
    expect(describeValue(new Uint8Array(1))).toBe('a Uint8Array');
  });

  it('falls back to "an object" when the class has no usable name', () => {
    const anonymous = new (class {})();
    expect(describeValue(anonymous)).toBe('an object');
    expect(describeValue(Object.create(Object.create(null) as object))).toBe('an object');
    expect(describeValue(Object.create({ constructor: { name: 42 } }))).toBe('an object');
  });

  it('never throws, even for a revoked proxy or a throwing constructor getter', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeValue(proxy)).toBe('an object');
    const hostile = Object.create(
      Object.defineProperty({}, 'constructor', {
        get() {
          throw new Error('no');
        },
      }),
    ) as object;
    expect(describeValue(hostile)).toBe('an object');
  });
});
