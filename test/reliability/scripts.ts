/**
 * The reliability scripts are plain ESM shared with `npm run reliability` (which runs them on the
 * build); the tests run their fast, seeded sizes on the sources. Loaded by URL, untyped.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Script = Record<string, (...args: any[]) => any>;

/** `reliability/<name>.mjs`. */
export async function script(name: string): Promise<Script> {
  return (await import(new URL(`../../reliability/${name}.mjs`, import.meta.url).href)) as Script;
}

/** The built library a child process imports (`npm test` builds before the tests run). */
export function builtLibrary(): string {
  const path = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`expected the built library at ${path} (run npm run build first), got none`);
  return path;
}
