/**
 * Reading a configuration file from disk (Node only; exported from `qts-reactive/node`, so the
 * root entry and the operators run in a browser).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.js';

/**
 * The text of the configuration file at `path` and the name to show for it.
 * @throws {ConfigError} naming the file when it cannot be read
 */
export function readConfigFile(path: string | URL): { readonly text: string; readonly file: string } {
  const file = path instanceof URL ? fileURLToPath(path) : path;
  try {
    return { text: readFileSync(file, 'utf8'), file };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError({ file, keyPath: '', expected: 'a readable file', received: reason, detail: `cannot read the file: ${reason}` });
  }
}
