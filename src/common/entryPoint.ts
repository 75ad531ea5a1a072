/**
 * Whether the module at `moduleUrl` (its `import.meta.url`) is the script Node was started with,
 * following symlinks, as npm's bin links are. Lets a module be both importable and runnable.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True when `moduleUrl` is the script of this process (`process.argv[1]`, symlinks resolved). */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(script)).href === moduleUrl;
  } catch {
    return false;
  }
}
