import { spawn } from 'node:child_process';
import { buildSync } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { packagedChromium, resolveChromium, unpackChromium } from './chromium.js';

const work = mkdtempSync(join(tmpdir(), 'qts-unpack-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A Brotli archive of `bytes` random bytes (incompressible, so decompressing it takes a while). */
function makeArchive(name: string, bytes: number): { archive: string; content: Buffer } {
  const content = randomBytes(bytes);
  const archive = join(work, `${name}.br`);
  writeFileSync(archive, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } }));
  return { archive, content };
}

// Child processes run the helper compiled to plain JavaScript (Node 20 does not run TypeScript).
const compiledHelper = join(work, 'chromium.mjs');
buildSync({ entryPoints: [fileURLToPath(new URL('./chromium.ts', import.meta.url))], outfile: compiledHelper, format: 'esm', platform: 'node', logLevel: 'silent' });

/** Node arguments that unpack `archive` as `version` into `root` in a process of their own. */
function unpackInChild(archive: string, version: string, root: string): string[] {
  const call = `unpackChromium(${JSON.stringify(archive)}, ${JSON.stringify(version)}, ${JSON.stringify(root)})`;
  return ['--input-type=module', '-e', `const { unpackChromium } = await import(${JSON.stringify(compiledHelper)}); console.log(JSON.stringify(await ${call}));`];
}

function runChild(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('unpacking the packaged Chromium', () => {
  it('two processes unpacking the same version at once both get the complete binary, and one directory is left', async () => {
    const { archive, content } = makeArchive('race', 24 * 1024 * 1024);
    const root = join(work, 'race-root');
    const [a, b] = await Promise.all([runChild(unpackInChild(archive, '1.0.0', root)), runChild(unpackInChild(archive, '1.0.0', root))]);
    for (const child of [a, b]) {
      expect(child.stderr).toBe('');
      expect(child.code).toBe(0);
      expect(JSON.parse(child.stdout).executablePath).toBe(join(root, '1.0.0', 'chromium'));
    }
    expect(readFileSync(join(root, '1.0.0', 'chromium')).equals(content)).toBe(true);
    expect(statSync(join(root, '1.0.0', 'chromium')).mode & 0o111).not.toBe(0);
    expect(readdirSync(root)).toEqual(['1.0.0']);
  });

  it('an unpack killed half way leaves no version directory, and the next unpack completes and removes its leftovers', async () => {
    const { archive, content } = makeArchive('killed', 64 * 1024 * 1024);
    const root = join(work, 'killed-root');
    const child = spawn(process.execPath, unpackInChild(archive, '2.0.0', root), { stdio: 'ignore' });
    // Kill it once its staging file has some bytes in it, well before the end.
    const staged = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        try {
          const staging = readdirSync(root).find((name) => name.startsWith('2.0.0.partial-'));
          if (staging !== undefined && statSync(join(root, staging, 'chromium')).size > 0) {
            clearInterval(poll);
            child.kill('SIGKILL');
            resolve(staging);
          }
        } catch {
          // not created yet
        }
      }, 2);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error('the unpacking process ended before it could be killed'));
      });
    });
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(join(root, staged, 'chromium')).size).toBeLessThan(content.length);
    expect(readdirSync(root)).toEqual([staged]);

    const result = await unpackChromium(archive, '2.0.0', root);
    expect(result.executablePath).toBe(join(root, '2.0.0', 'chromium'));
    expect(readFileSync(result.executablePath).equals(content)).toBe(true);
    expect(readdirSync(root)).toEqual(['2.0.0']);
  });

  it('a version already unpacked is used as it is', async () => {
    const { archive } = makeArchive('reuse', 1024);
    const root = join(work, 'reuse-root');
    mkdirSync(join(root, '3.0.0'), { recursive: true });
    writeFileSync(join(root, '3.0.0', 'chromium'), 'already here');
    expect(await unpackChromium(archive, '3.0.0', root)).toEqual({ executablePath: join(root, '3.0.0', 'chromium'), unpackMs: 0 });
    expect(readFileSync(join(root, '3.0.0', 'chromium'), 'utf8')).toBe('already here');
  });
});

describe('which Chromium the browser tests use', () => {
  it('CHROMIUM_PATH when it is set', async () => {
    const fake = join(work, 'my-chromium');
    writeFileSync(fake, '');
    expect(await resolveChromium({ CHROMIUM_PATH: fake })).toEqual({ executablePath: fake, source: 'CHROMIUM_PATH', unpackMs: 0 });
  });

  it('a CHROMIUM_PATH that does not exist is refused, naming the variable and the path', async () => {
    await expect(resolveChromium({ CHROMIUM_PATH: '/nowhere/chromium' })).rejects.toThrow(
      'CHROMIUM_PATH: expected the path of a Chromium executable, got "/nowhere/chromium", which does not exist',
    );
  });

  it('else the binary of the @sparticuz/chromium devDependency, pinned at 143.0.4', () => {
    const { archive, version } = packagedChromium();
    expect(version).toBe('143.0.4');
    expect(statSync(archive).size).toBeGreaterThan(10_000_000);
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['@sparticuz/chromium']).toBe('143.0.4');
  });

  it('CI runs exactly what a newcomer runs: no system package is installed', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    expect(ci).not.toMatch(/apt-get|apt |dnf|yum|apk /);
    expect(ci.split('\n').filter((line) => /^\s*npm /.test(line))).toEqual(['npm ci', 'npm test']);
  });
});
