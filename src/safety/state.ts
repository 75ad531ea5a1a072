/**
 * The external safety system's state, as this library consumes it (values or an Observable).
 * The safety system itself lives outside this library; nothing here changes it.
 */

/** Safety states, least to most severe. */
export const SafetyState = {
  NORMAL: 'NORMAL',
  WARNING: 'WARNING',
  FAIL: 'FAIL',
  LOCKDOWN: 'LOCKDOWN',
} as const;
/** One of the four safety states. */
export type SafetyState = (typeof SafetyState)[keyof typeof SafetyState];

/** Severity rank of each safety state (NORMAL 0 … LOCKDOWN 3). */
export const SAFETY_SEVERITY: Readonly<Record<SafetyState, number>> = Object.freeze({
  NORMAL: 0,
  WARNING: 1,
  FAIL: 2,
  LOCKDOWN: 3,
});

/** Thrown when a value that should be a {@link SafetyState} is not one. */
export class SafetyStateError extends Error {
  override readonly name = 'SafetyStateError';
  constructor(readonly value: unknown) {
    super(`safety: expected one of NORMAL, WARNING, FAIL, LOCKDOWN, got ${JSON.stringify(value)}`);
  }
}

/** True when `value` is a {@link SafetyState}. */
export function isSafetyState(value: unknown): value is SafetyState {
  return typeof value === 'string' && Object.hasOwn(SAFETY_SEVERITY, value);
}

/**
 * Returns `value` as a {@link SafetyState}.
 * @throws {SafetyStateError} when it is not one
 */
export function parseSafetyState(value: unknown): SafetyState {
  if (!isSafetyState(value)) throw new SafetyStateError(value);
  return value;
}
