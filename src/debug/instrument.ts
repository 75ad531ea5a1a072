/**
 * The single instrumentation hook through which every named stream of the library passes, so a
 * stream debugger (rxjs-spy's `tag`, a `tap` logger, a tracer) can be plugged in without the
 * library depending on one.
 *
 * The hook wraps the Observable the user holds — the last step of every named stream, after any
 * `share()` — so a tool sees exactly the subscriptions, values, errors and completions the user's
 * code sees, the same way for every stream.
 */
import { identity, type MonoTypeOperatorFunction } from 'rxjs';

/**
 * What a named stream is: the output of one of the library's pipeable operators (`'operator'`), or
 * a stream that one of its objects or functions creates and exposes (`'source'`) — the distinction
 * debuggers draw between operators and creation functions.
 */
export type StreamKind = 'operator' | 'source';

/** What the hook is told about a stream besides its name. */
export interface StreamInfo {
  /** Operator output or exposed source. */
  readonly kind: StreamKind;
  /**
   * What built the stream: the operator (`'dropOldest'`, `'mergeByPriority'`, …), or for a source
   * the name of its owner, the first segment of the stream's name (`'dispatcher'`, the manager's
   * or `operatingState$`'s `name`, `'replay'`).
   */
  readonly creator: string;
}

/**
 * Turns a stream's name (and what it is) into an operator that wraps that stream, e.g.
 * `(name) => tag(name)` or `(name, { kind, creator }) => tap(…)`.
 */
export type InstrumentationHook = (name: string, info: StreamInfo) => MonoTypeOperatorFunction<unknown>;

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
 * The operator the current hook gives for the stream `name`, typed for the stream it wraps.
 * Unnamed streams (`name` undefined) are left as they are.
 *
 * @param name the stream's name, e.g. `dispatcher.drops`
 * @param kind operator output or exposed source (default `'source'`)
 * @param creator the operator or owner that built it (default: the name's first segment)
 */
export function instrument<T>(name: string | undefined, kind: StreamKind = 'source', creator?: string): MonoTypeOperatorFunction<T> {
  if (name === undefined) return identity;
  const info: StreamInfo = Object.freeze({ kind, creator: creator ?? name.split('.')[0]! });
  return currentHook(name, info) as MonoTypeOperatorFunction<T>;
}
