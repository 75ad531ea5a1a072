/**
 * Configuration documents: deep merge and key renaming.
 */
import { isPlainRecord } from '../common/plain.js';
import { snakeToCamel } from './keys.js';

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
