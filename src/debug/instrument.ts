/**
 * The single instrumentation hook through which every named stream of the library passes, so a
 * stream debugger (rxjs-spy's `tag`, @rxjs-insights' `tag`, a logger) can be plugged in without
 * the library depending on one.
 */
import { identity, type MonoTypeOperatorFunction } from 'rxjs';

/** Turns a stream name into an operator that wraps that stream, e.g. `(name) => tag(name)`. */
export type InstrumentationHook = (name: string) => MonoTypeOperatorFunction<unknown>;

const identityHook: InstrumentationHook = () => identity;
let currentHook: InstrumentationHook = identityHook;

/**
 * Installs `hook` for every named stream created from now on; returns a function that restores
 * the previous hook. Pass nothing to restore the identity hook.
 *
 * @example
 * ```ts
 * import { tag } from 'rxjs-spy/operators';
 * const restore = setInstrumentation((name) => tag(name));
 * ```
 */
export function setInstrumentation(hook: InstrumentationHook = identityHook): () => void {
  const previous = currentHook;
  currentHook = hook;
  return () => {
    currentHook = previous;
  };
}

/**
 * The operator the current hook gives for `name`, typed for the stream it wraps. Unnamed streams
 * (`name` undefined) are left as they are.
 */
export function instrument<T>(name: string | undefined): MonoTypeOperatorFunction<T> {
  if (name === undefined) return identity;
  return currentHook(name) as MonoTypeOperatorFunction<T>;
}
