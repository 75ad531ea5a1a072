/**
 * The typed errors of the NATS adapter: each names what it was about (the URL, the feature and
 * versions, the subject and stream sequence, the state key) and what was expected.
 */

/** The NATS server at `url` did not answer within the connect timeout (or refused the connection). */
export class NatsUnreachableError extends Error {
  override readonly name = 'NatsUnreachableError';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `${url}: expected a NATS server with JetStream answering within ${timeoutMs} ms, got ${describeCause(cause)}; ` +
        'start one with `nats-server -js` (see docs/scale-out.md)',
    );
  }
}

/** The connected server is older than a feature this adapter was asked to use needs. */
export class NatsServerTooOldError extends Error {
  override readonly name = 'NatsServerTooOldError';
  constructor(
    readonly feature: string,
    readonly requiredVersion: string,
    readonly serverVersion: string,
  ) {
    super(`${feature}: expected a NATS server ≥ ${requiredVersion}, got ${serverVersion}`);
  }
}

/** The server answered but has JetStream disabled. */
export class JetStreamUnavailableError extends Error {
  override readonly name = 'JetStreamUnavailableError';
  constructor(readonly url: string) {
    super(`${url}: expected a NATS server with JetStream enabled, got one without (start it with -js)`);
  }
}

/** A lane message that is not one of our events; the message was termed and the lane kept running. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
  constructor(
    readonly subject: string,
    readonly sequence: number,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${subject} (stream sequence ${sequence}) ${field}: ${detail}`);
  }
}

/** A subject token (account, collapse key, prefix) that NATS cannot carry. */
export class NatsSubjectError extends Error {
  override readonly name = 'NatsSubjectError';
  constructor(
    readonly field: string,
    readonly received: string,
  ) {
    super(`${field}: expected a subject token without '.', '*', '>' or whitespace, got ${JSON.stringify(received)}`);
  }
}

/**
 * A compare-and-set write of the shared operating state that kept losing to other instances: after
 * `attempts` tries with a fresh revision each time it gave up, and nothing was written.
 */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly cycleId: string,
    readonly attempts: number,
  ) {
    super(`${bucket}/${key} cycle ${cycleId}: expected the compare-and-set write to succeed within ${attempts} attempts, got a conflict every time; nothing was written`);
  }
}

/** The shared state's KV entry is not one of our envelopes (corrupt, or written by something else). */
export class SharedStateFormatError extends Error {
  override readonly name = 'SharedStateFormatError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly revision: number,
    readonly detail: string,
  ) {
    super(`${bucket}/${key} revision ${revision}: ${detail}`);
  }
}

/** A P0 publish that could not be stored before the publisher was closed (it was never acked). */
export class PublishAbortedError extends Error {
  override readonly name = 'PublishAbortedError';
  constructor(
    readonly subject: string,
    readonly eventId: string,
  ) {
    super(`${subject} event ${eventId}: expected the stream to accept it, got the publisher closed first`);
  }
}

/** A short description of an error-like value, for messages. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
