// The build (dist/) for the tests that run the library as it is published: the bin, worker
// processes, the package entry points. `npm test` builds before the tests; a bare `npx vitest run`
// gets its build here, once, when an output the tests run is missing or older than src/. Test
// files run in parallel processes, so one builds while the others wait for it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root, with a trailing separator. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** The built files the tests run (directly or in child processes). */
const OUTPUTS = ['index.js', 'node.js', 'operators/index.js', 'nats/index.js', 'nats/replay/worker.js', 'cli/main.js'].map((file) => join(root, 'dist', file));

/** Time for `tsc -p tsconfig.build.json` on a slow machine; give a `beforeAll` that builds this long. */
export const BUILD_TIMEOUT_MS = 300_000;

/** A lock left by a process that died while building is taken over after this long. */
const STALE_LOCK_MS = BUILD_TIMEOUT_MS;

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when every output exists and none is older than the newest file of src/. */
function isBuildCurrent(): boolean {
  if (!OUTPUTS.every((file) => existsSync(file))) return false;
  const oldestOutput = Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs));
  return oldestOutput >= newestMtimeMs(join(root, 'src'));
}

function build(): void {
  // tsc alone, as on the sources as they are: `npm run build` would also regenerate
  // src/config/shipped.ts, which a test compares with config/ and must not be rewritten under it.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  const missing = OUTPUTS.filter((file) => !existsSync(file));
  if (tsc.status !== 0 || missing.length > 0) {
    throw new Error(`dist/: expected a build with ${OUTPUTS.length} outputs, got tsc -p tsconfig.build.json exit ${String(tsc.status)}, missing [${missing.join(', ')}]\n${tsc.stdout}${tsc.stderr}`);
  }
}

/**
 * Builds dist/ when an output the tests run is missing or older than src/; waits while another
 * test process builds. Throws (the test fails, it is not skipped) when the build fails.
 */
export async function ensureBuilt(): Promise<void> {
  if (isBuildCurrent()) return;
  const lock = join(tmpdir(), `qts-reactive-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : Date.now());
      if (age > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  try {
    if (!isBuildCurrent()) build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
