/**
 * A minimal `/metrics` endpoint on `node:http` for a registry, for processes that have no HTTP
 * server of their own (the replay's `--metrics-port`, tests, small services).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** TCP port; 0 picks a free one (see `url`). */
  readonly port: number;
  /** Address to listen on (default `127.0.0.1`: this machine only). */
  readonly host?: string;
  /** Path of the endpoint (default `/metrics`). */
  readonly path?: string;
}

/** A running endpoint. */
export interface MetricsServer {
  /** Where to scrape, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Serves `registry` in the Prometheus text format at `GET <path>`; other paths answer 404.
 *
 * @example
 * ```ts
 * const server = await serveMetrics(registry, { port: 9464 });
 * console.log(`scrape ${server.url}`);
 * // … later
 * await server.close();
 * ```
 * @throws (rejects) with the listen error (e.g. `EADDRINUSE`), naming the address
 */
export function serveMetrics(registry: Registry, options: ServeMetricsOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const server: Server = createServer((request, response) => {
    const target = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || target !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${path}\n`);
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  return new Promise<MetricsServer>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`metrics endpoint ${host}:${options.port}: ${error.code ?? error.message}`, { cause: error })));
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}${path}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
