/**
 * Manual overrides: validation against the configured length limit. An override that fails
 * validation is rejected with an {@link OverrideError} and changes nothing.
 */
import { manualOverrideSchema, type ManualOverride } from './contracts.js';
import type { StateConfig } from './config.js';

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** Thrown when a manual override is malformed, too long, already over, or refused by safety. */
export class OverrideError extends Error {
  override readonly name = 'OverrideError';
  constructor(
    /** The offending field of the override, e.g. `expiryTime`, or `safety`. */
    readonly field: string,
    /** What was expected and what came. */
    readonly problem: string,
  ) {
    super(`override.${field}: ${problem}`);
  }
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/**
 * Returns `value` as a valid {@link ManualOverride} for `config` at time `now`: well-formed, its
 * expiry after its start, at most `override.maxDurationDays` after it, and still in the future.
 * @throws {OverrideError} naming the offending field
 */
export function validateOverride(value: unknown, config: StateConfig, now: number): ManualOverride {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new OverrideError('override', `expected a manual override object, got ${show(value)}`);
  }
  const result = manualOverrideSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') throw new OverrideError(issue.keys.join(', '), 'unknown field');
    const field = String(issue.path[0]);
    throw new OverrideError(field, `${issue.message}, got ${show((value as Record<string, unknown>)[field])}`);
  }
  const o = result.data;
  if (o.expiryTime <= o.overrideTime) {
    throw new OverrideError('expiryTime', `expected after overrideTime ${o.overrideTime}, got ${o.expiryTime}`);
  }
  const maxMs = config.override.maxDurationDays * DAY_MS;
  const lengthMs = o.expiryTime - o.overrideTime;
  if (lengthMs > maxMs) {
    throw new OverrideError(
      'expiryTime',
      `expected at most ${config.override.maxDurationDays} days after overrideTime, got ${Number((lengthMs / DAY_MS).toFixed(3))} days`,
    );
  }
  if (o.expiryTime <= now) {
    throw new OverrideError('expiryTime', `expected after now (${now}), got ${o.expiryTime}`);
  }
  return o;
}
