// Faults at the connection: an unreachable server is a typed error naming the URL within the bound
// (never a hang); a feature newer than the server is a typed error naming feature and versions.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NatsServerTooOldError,
  NatsUnreachableError,
  compareVersions,
  connectNats,
  requireServerFeature,
  serverVersion,
} from '../../src/nats/index.js';
import { liveNatsUrl } from './context.js';
import { freePort } from './server.js';

describe('connecting to NATS', () => {
  it('a refused connection is a NatsUnreachableError naming the URL', async () => {
    const url = `nats://127.0.0.1:${await freePort()}`;
    const error = await connectNats({ url, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NatsUnreachableError);
    expect((error as NatsUnreachableError).url).toBe(url);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('nats-server -js');
  });

  describe('a server that accepts the connection and never answers', () => {
    let silent: Server;
    let url: string;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => sockets.push(socket)); // accepts and says nothing, as a hung server would
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const address = silent.address();
      url = `nats://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('fails with a NatsUnreachableError after the connect timeout instead of hanging', async () => {
      const error = await connectNats({ url, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NatsUnreachableError);
      expect((error as NatsUnreachableError).timeoutMs).toBe(300);
      expect((error as Error).message).toContain(`${url}: expected a NATS server with JetStream answering within 300 ms`);
    });
  });

  it('compares server versions numerically', () => {
    expect(compareVersions('2.10.0', '2.9.10')).toBeGreaterThan(0);
    expect(compareVersions('v2.9.10', '2.9.10')).toBe(0);
    expect(compareVersions('2.9.10', '2.11.0')).toBeLessThan(0);
  });

  it('a feature newer than the server is a NatsServerTooOldError naming the feature and both versions', () => {
    const error = (() => {
      try {
        requireServerFeature('2.9.10', 'per-message TTL');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(NatsServerTooOldError);
    expect((error as Error).message).toBe('per-message TTL: expected a NATS server ≥ 2.11.0, got 2.9.10');
    expect(() => requireServerFeature('2.12.1', 'atomic batch publish')).not.toThrow();
  });
});

describe.runIf(liveNatsUrl !== null)('the live server', () => {
  it('reports its version from the connection, and features it lacks are refused by name', async () => {
    const nc = await connectNats({ url: liveNatsUrl! });
    try {
      const version = serverVersion(nc);
      expect(version).toMatch(/^\d+\.\d+\.\d+/);
      expect(() => requireServerFeature(nc, 'jetstream')).not.toThrow();
      if (compareVersions(version, '2.11.0') < 0) {
        expect(() => requireServerFeature(nc, 'per-message TTL')).toThrow(`per-message TTL: expected a NATS server ≥ 2.11.0, got ${version}`);
      }
    } finally {
      await nc.close();
    }
  });
});
