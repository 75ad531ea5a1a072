// Helpers of the NATS tests: where the server is, a private server that a test may stop and
// restart, unique names per test, and cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** How to start the server the NATS tests expect. */
export const NATS_START_COMMAND = 'nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server';

/** The URL of the NATS tests' server: QTS_NATS_URL, default nats://127.0.0.1:4222. */
export function natsUrl(): string {
  return process.env['QTS_NATS_URL'] ?? 'nats://127.0.0.1:4222';
}

/** True when something at `url` speaks the NATS protocol (its INFO line says so) with JetStream. */
export function probeNats(url: string, timeoutMs = 2_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 4222) });
    let text = '';
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\r\n')) done(text.startsWith('INFO ') && /"jetstream"\s*:\s*true/.test(text));
    });
    socket.on('error', () => done(false));
  });
}

/** A name no other test uses: `<stem>_<random>` (stream, bucket and subject safe). */
export function uniqueName(stem: string): string {
  return `${stem}_${randomBytes(4).toString('hex')}`.toUpperCase();
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A nats-server of the test's own, on its own port and store directory. */
export interface PrivateServer {
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

/** Starts `nats-server -a 127.0.0.1 -p <free port> -js -sd <tmpdir>` and waits until it answers. */
export async function startPrivateServer(): Promise<PrivateServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'qts-nats-'));
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await probeNats(url, 500))) {
      if (Date.now() > deadline) throw new Error(`private nats-server on ${url} did not start within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 10 ms until it holds, failing with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Polls the async `check` every 20 ms until it holds, failing with `what` after `timeoutMs`. */
export async function eventuallyAsync(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
