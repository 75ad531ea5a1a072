/**
 * Loading the operating-state configuration from a file (Node only; exported from `qts-reactive/node`).
 */
import { readConfigFile } from '../config/file.js';
import { defaultStateConfig, parseStateConfig, type StateConfig } from './config.js';

/**
 * Reads an operating-state configuration file and deep-merges it over the defaults; no path:
 * the defaults.
 *
 * @example
 * ```ts
 * import { loadStateConfig } from 'qts-reactive/node';
 * const config = loadStateConfig('config/state.production.yaml');
 * config.cooldownHours; // as written in the file, or 24
 * ```
 * @param path a file path or `file:` URL of a YAML document with an `operating_state:` block
 * @throws {ConfigError} naming the file, line:column, key path, what was expected and what came
 */
export function loadStateConfig(path?: string | URL): StateConfig {
  if (path === undefined) return defaultStateConfig();
  const { text, file } = readConfigFile(path);
  return parseStateConfig(text, file);
}
