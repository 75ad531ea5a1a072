/**
 * The typed error of lane construction.
 */

/**
 * Thrown when a lane buffer, queue or buffering operator is built with an invalid option. The
 * message names the option, what was expected and what came, e.g.
 * `capacity: expected a positive integer, got -5`.
 */
export class LaneConfigError extends Error {
  override readonly name = 'LaneConfigError';
  constructor(
    /** The option that is wrong, e.g. `capacity` or `sampleRate`. */
    readonly option: string,
    /** What the option must be. */
    readonly expected: string,
    /** What was given. */
    readonly got: unknown,
  ) {
    super(`${option}: expected ${expected}, got ${describe(got)}`);
  }
}

function describe(value: unknown): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: without this line a string reaches the same JSON.stringify below
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  // Stryker disable next-line ConditionalExpression,StringLiteral: JSON.stringify (then String for undefined) writes booleans, undefined and null as String does
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
