/**
 * The typed error of lane construction.
 */
import { describeValue } from '../../common/describe.js';

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
    super(`${option}: expected ${expected}, got ${describeValue(got)}`);
  }
}
