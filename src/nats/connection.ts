/**
 * Connecting to NATS with a bounded wait, and checking the server's version before relying on a
 * feature: a 2.9 server silently ignores settings it does not know (message TTL), so every feature
 * newer than the oldest supported server is checked against the server info first.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamUnavailableError, NatsServerTooOldError, NatsUnreachableError } from './errors.js';

/** The default server URL. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Default bound on connecting, ms: a missing server is reported, never waited on. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Options of {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Server URL (default {@link DEFAULT_NATS_URL}). */
  readonly url?: string;
  /** Bound on the first connect, ms (default 5000). */
  readonly timeoutMs?: number;
  /** Connection name shown by the server's monitoring. */
  readonly name?: string;
}

/** Server features and the first server version that has them. */
export const NATS_FEATURES = Object.freeze({
  jetstream: '2.2.0',
  'consumer multiple filter subjects': '2.10.0',
  'per-message TTL': '2.11.0',
  'consumer priority groups': '2.11.0',
  'atomic batch publish': '2.12.0',
} as const);

/** A feature name of {@link NATS_FEATURES}. */
export type NatsFeature = keyof typeof NATS_FEATURES;

/**
 * Connects to the server at `url` with JetStream, failing within `timeoutMs` with a typed error
 * naming the URL (never a hang), and reconnecting forever once connected (a restarted server is
 * picked up again).
 *
 * @throws {NatsUnreachableError} when nothing answers, or the connection is refused
 * @throws {JetStreamUnavailableError} when the server runs without JetStream
 */
export async function connectNats(options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const url = options.url ?? DEFAULT_NATS_URL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const attempt = connect({
    servers: url,
    timeout: timeoutMs,
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  let nc: NatsConnection;
  try {
    nc = await Promise.race([attempt, deadline]);
  } catch (error) {
    // A connect that finishes after the deadline must not leak an open connection.
    void attempt.then((late) => late.close()).catch(() => undefined);
    throw new NatsUnreachableError(url, timeoutMs, error);
  } finally {
    clearTimeout(timer);
  }
  if (nc.info?.jetstream !== true) {
    await nc.close();
    throw new JetStreamUnavailableError(url);
  }
  return nc;
}

/** The version the server reported when the connection was made (`0.0.0` when unknown). */
export function serverVersion(nc: NatsConnection): string {
  return nc.info?.version ?? '0.0.0';
}

/** Compares dotted versions numerically (`2.10.0` > `2.9.10`); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): number[] => v.replace(/^v/, '').split(/[.-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [pa, pb] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Checks that the server of `nc` (or the given version) is new enough for `feature`.
 * @throws {NatsServerTooOldError} naming the feature, the version it needs and the server's
 */
export function requireServerFeature(version: string | NatsConnection, feature: NatsFeature): void {
  const actual = typeof version === 'string' ? version : serverVersion(version);
  const required = NATS_FEATURES[feature];
  if (compareVersions(actual, required) < 0) throw new NatsServerTooOldError(feature, required, actual);
}
