// The replay across processes: the built CLI with --nats runs worker processes sharing the lanes and
// the operating state, SIGKILLs one on a date and starts a replacement, and its --json timeline
// equals the embedded replay's exactly. Run on 2018-06 … 2020-12 of the shipped data (the 2020
// crash included) to keep the suite short; `qts-reactive replay --nats …` runs the whole history.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReplayArgs } from '../../src/cli/main.js';
import { liveNatsUrl } from './context.js';
import { freePort } from './server.js';
import { BUILD_TIMEOUT_MS, ensureBuilt } from '../support/build.js';

const builtCli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function run(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtCli, 'replay', ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Rows of a shipped CSV whose date is within [from, to], with the header. */
function slice(file: string, from: string, to: string): string {
  const [header, ...rows] = readFileSync(fileURLToPath(new URL(`../../data/${file}`, import.meta.url)), 'utf8').trim().split('\n');
  return [header, ...rows.filter((r) => r.slice(0, 10) >= from && r.slice(0, 10) <= to)].join('\n') + '\n';
}

describe('replay --nats options', () => {
  it('parses --nats, --workers and --kill-worker-at, and refuses them half-given', () => {
    expect(parseReplayArgs(['--nats', 'nats://127.0.0.1:4222', '--kill-worker-at', '2020-03-02'])).toMatchObject({
      nats: { url: 'nats://127.0.0.1:4222', workers: 3, killWorkerAt: '2020-03-02' },
    });
    expect(parseReplayArgs([])).toMatchObject({ nats: null });
    expect(() => parseReplayArgs(['--workers', '2'])).toThrow('--workers: expected --nats URL with it, got no --nats');
    expect(() => parseReplayArgs(['--nats', 'localhost'])).toThrow('--nats: expected a server URL such as nats://127.0.0.1:4222, got "localhost"');
    expect(() => parseReplayArgs(['--nats', 'nats://h:1', '--workers', '0'])).toThrow('--workers: expected a whole number of workers from 1 to 64, got "0"');
    expect(() => parseReplayArgs(['--nats', 'nats://h:1', '--kill-worker-at', '2 March'])).toThrow('--kill-worker-at: expected a date YYYY-MM-DD');
  });
});

describe('replay --nats with no server (built CLI)', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it('exits 1 within seconds with a NatsUnreachableError naming the URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const out = await run(['--nats', url, '--json'], tmpdir());
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(`NatsUnreachableError: ${url}: expected a NATS server with JetStream answering within 5000 ms`);
  });
});

describe.runIf(liveNatsUrl !== null)('replay --nats (built CLI, live server, worker processes)', () => {
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qts-cluster-'));
    writeFileSync(join(dir, 'spx.csv'), slice('sp500-daily.csv', '2018-06-01', '2020-12-31'));
    writeFileSync(join(dir, 'vix.csv'), slice('vix-daily.csv', '2018-06-01', '2020-12-31'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('with a worker SIGKILLed on 2020-03-02, the --json timeline equals the embedded replay’s exactly', async () => {
    const common = ['--spx', 'spx.csv', '--vix', 'vix.csv', '--json', '--no-state-file'];
    const embedded = await run(common, dir);
    const cluster = await run([...common, '--nats', liveNatsUrl!, '--workers', '3', '--kill-worker-at', '2020-03-02'], dir);
    expect(cluster.stderr).toBe('');
    expect(cluster.status).toBe(0);
    expect(embedded.status).toBe(0);
    const timeline = JSON.parse(embedded.stdout) as { at: string }[];
    expect(timeline.map((t) => t.at)).toContain('2020-03-03'); // the transition right after the kill
    expect(cluster.stdout).toBe(embedded.stdout);
  }, 240_000);

  it('prints the same summary as the embedded replay', async () => {
    const common = ['--spx', 'spx.csv', '--vix', 'vix.csv', '--no-report', '--no-state-file'];
    const embedded = await run(common, dir);
    const cluster = await run([...common, '--nats', liveNatsUrl!, '--workers', '2'], dir);
    expect(cluster.status).toBe(0);
    expect(cluster.stdout).toBe(embedded.stdout);
  }, 240_000);
});
