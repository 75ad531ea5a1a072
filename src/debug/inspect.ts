/**
 * Short summaries for Node's `util.inspect` (and so `console.log`): objects of the library show
 * what an operator wants to see at a glance instead of every private field.
 */

/**
 * The key Node's `util.inspect` looks for (`util.inspect.custom`), reached through the global
 * symbol registry so the core imports no `node:` module and stays usable in browsers.
 */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** `Name <detail>`: the one-line shape of every summary. */
export function inspectSummary(name: string, detail: string): string {
  return `${name} <${detail}>`;
}
