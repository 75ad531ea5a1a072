// The NATS client packages are optional peer dependencies: the root entry and qts-reactive/operators
// must load without them; only qts-reactive/nats needs them.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, root } from '../support/build.js';

const hook = new URL('./fixtures/hide-nats.mjs', import.meta.url).href;

/** Imports `entry` in a fresh Node with the @nats-io packages hidden; returns the exit status and stderr. */
function importWithoutNats(entry: string): { status: number | null; stderr: string } {
  const script = `import { register } from 'node:module'; register(${JSON.stringify(hook)}); await import(${JSON.stringify(`${root}${entry}`)}); console.log('loaded');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: root });
  return { status: run.status, stderr: run.stderr };
}

describe('the optional NATS peer dependencies (dist, as published)', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it('the root entry loads when the @nats-io packages are missing', () => {
    const run = importWithoutNats('dist/index.js');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('qts-reactive/operators loads when the @nats-io packages are missing', () => {
    expect(importWithoutNats('dist/operators/index.js').status).toBe(0);
  });

  it('qts-reactive/node loads when the @nats-io packages are missing', () => {
    expect(importWithoutNats('dist/node.js').status).toBe(0);
  });

  it('qts-reactive/nats does need them (so the two checks above can fail)', () => {
    const run = importWithoutNats('dist/nats/index.js');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('hidden by the test');
  });
});
