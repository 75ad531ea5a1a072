/**
 * How an error message names the value it got, in one voice for configuration files, options and
 * events: `expected a positive integer, got -5`, `got "BLOK"`, `got a mapping`, `got a function`.
 * This module imports nothing, so any module may use it without an arrow pointing upwards.
 */

/**
 * Names `value` for the "got …" half of an error message: numbers, booleans and bigints as written
 * (`0`, `NaN`, `true`, `10n`), strings quoted (`"x"`), `null`, `nothing` for undefined, and
 * everything else by kind: `a list`, `a mapping` (a plain object), `a function`, `a symbol`, or
 * the class of an instance (`a Date`, `an Error`). It never throws, whatever it is given.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      return describeObject(value);
  }
}

function describeObject(value: object): string {
  // A revoked Proxy throws from Array.isArray and getPrototypeOf, a hostile getter from
  // `constructor`: the message is being built for another error and must not replace it.
  try {
    if (Array.isArray(value)) return 'a list';
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return 'a mapping';
    // Stryker disable next-line OptionalChaining: without `?.` a missing constructor throws a TypeError that the catch below turns into the same 'an object'
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '') return `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}`;
  } catch {
    // falls through to the neutral name
  }
  return 'an object';
}
