/**
 * Loading the event configuration from a file (Node only; exported from `qts-reactive/node`).
 */
import { readConfigFile } from '../config/file.js';
import { defaultEventConfig, parseEventConfig, type EventConfig } from './config.js';

/**
 * Reads an event configuration file and deep-merges it over the defaults; no path: the defaults.
 *
 * @example
 * ```ts
 * import { loadEventConfig } from 'qts-reactive/node';
 * const config = loadEventConfig('config/event.production.yaml');
 * config.queues.p1.capacity; // as written in the file, or 10000
 * ```
 * @param path a file path or `file:` URL of a YAML document with an `event:` block
 * @throws {ConfigError} naming the file, line:column, key path, what was expected and what came
 */
export function loadEventConfig(path?: string | URL): EventConfig {
  if (path === undefined) return defaultEventConfig();
  const { text, file } = readConfigFile(path);
  return parseEventConfig(text, file);
}
