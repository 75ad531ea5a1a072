/**
 * The browser for the browser tests, found without anything installed on the system: `CHROMIUM_PATH`
 * when set, else the Chromium binary shipped inside the `@sparticuz/chromium` devDependency, unpacked
 * once per version under the OS temp dir.
 *
 * The unpack is race-free: each process decompresses into a fresh staging directory of its own and
 * moves it into place with one `rename`, so the version directory either does not exist or is
 * complete. Two processes unpacking at once both end with a working binary (the loser of the rename
 * drops its copy), and a process killed half way leaves only a staging directory that the next
 * unpack removes.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chmod, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';

/** Flags that let headless Chromium run as root in a container, with nothing fetched from the network. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser came from, and how long it took to get it. */
export interface ResolvedChromium {
  readonly executablePath: string;
  readonly source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
  /** Time spent decompressing; 0 when the binary was already unpacked or came from CHROMIUM_PATH. */
  readonly unpackMs: number;
}

/** The package's compressed binary and its version (the unpack directory is named after it). */
export function packagedChromium(): { readonly archive: string; readonly version: string } {
  const entry = pathToFileURL(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
  const packageJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', entry)), 'utf8')) as { version: string };
  return { archive: fileURLToPath(new URL('../../bin/chromium.br', entry)), version: packageJson.version };
}

/** The root under which each version gets its own directory. */
export const UNPACK_ROOT = join(tmpdir(), 'qts-reactive-chromium');

const STAGING_MARK = '.partial-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging directories of `version` left by processes that are gone (killed half way). */
async function removeAbandonedStaging(root: string, version: string): Promise<void> {
  for (const name of await readdir(root)) {
    if (!name.startsWith(`${version}${STAGING_MARK}`)) continue;
    const pid = Number(name.slice(version.length + STAGING_MARK.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
      await rm(join(root, name), { recursive: true, force: true });
    }
  }
}

/**
 * Decompresses the Brotli `archive` to `<root>/<version>/chromium` unless it is there already, and
 * returns the binary's path. Safe to call from several processes at once.
 */
export async function unpackChromium(archive: string, version: string, root: string = UNPACK_ROOT): Promise<{ executablePath: string; unpackMs: number }> {
  const finalDir = join(root, version);
  const executablePath = join(finalDir, 'chromium');
  if (existsSync(executablePath)) return { executablePath, unpackMs: 0 };
  const started = performance.now();
  await mkdir(root, { recursive: true });
  await removeAbandonedStaging(root, version);
  const staging = await mkdtemp(join(root, `${version}${STAGING_MARK}${process.pid}-`));
  try {
    const staged = join(staging, 'chromium');
    await pipeline(createReadStream(archive), createBrotliDecompress({ chunkSize: 2 ** 21 }), createWriteStream(staged, { mode: 0o700 }));
    await chmod(staged, 0o755);
    try {
      await rename(staging, finalDir);
    } catch (error) {
      // Another process moved its complete copy into place first: use that one.
      const code = (error as NodeJS.ErrnoException).code;
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(executablePath))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { executablePath, unpackMs: performance.now() - started };
}

/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` if set (it must exist), else the binary of
 * the `@sparticuz/chromium` devDependency, unpacked on first use.
 */
export async function resolveChromium(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedChromium> {
  const fromEnv = env['CHROMIUM_PATH'];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH: expected the path of a Chromium executable, got ${JSON.stringify(fromEnv)}, which does not exist`);
    return { executablePath: fromEnv, source: 'CHROMIUM_PATH', unpackMs: 0 };
  }
  const { archive, version } = packagedChromium();
  const { executablePath, unpackMs } = await unpackChromium(archive, version);
  return { executablePath, source: '@sparticuz/chromium', unpackMs };
}
