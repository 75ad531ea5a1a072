/**
 * Plain-data helpers for configuration documents: deep merge, key renaming and deep freezing.
 */
import { snakeToCamel } from './keys.js';

/** True for `{}`-style objects (not arrays, not class instances such as Buffer or Date). */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `override` merged into `base`, recursively for mappings; any other value (scalar, list, null)
 * replaces the base value, and `undefined` leaves it. Neither argument is modified.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (!isPlainRecord(base) || !isPlainRecord(override)) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    merged[key] = deepMerge(base[key], value);
  }
  return merged;
}

/** A deep copy of `value` with every mapping key camelCased (`batch_size` → `batchSize`). */
export function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (!isPlainRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[snakeToCamel(key)] = camelizeKeys(inner);
  return out;
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
