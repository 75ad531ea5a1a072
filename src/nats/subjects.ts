/**
 * Where each lane lives on JetStream: one stream per priority, subjects
 * `<prefix>.<account>.p<priority>.<eventType>[.<key>]`. The account token lets instances partition
 * the work (one durable consumer per account filter); the type and key tokens are what P2's
 * last-value-per-subject limit collapses on.
 */
import type { EventPriority } from '../event/contracts.js';
import { NatsSubjectError } from './errors.js';

/** Default first subject token of every lane subject. */
export const DEFAULT_SUBJECT_PREFIX = 'qts';

/** The account token used when an event names none. */
export const DEFAULT_ACCOUNT = 'default';

/** The wildcard account: a consumer filter over every account. */
export const ANY_ACCOUNT = '*';

const BAD_TOKEN = /[.*>\s]/;

/**
 * Checks one subject token (account, type, key).
 * @throws {NatsSubjectError} naming `field` when the token is empty or holds `.`, `*`, `>` or whitespace
 */
export function checkSubjectToken(field: string, token: string): string {
  if (token.length === 0 || BAD_TOKEN.test(token)) throw new NatsSubjectError(field, token);
  return token;
}

/**
 * Checks a subject prefix: one or more dot-separated tokens.
 * @throws {NatsSubjectError} for an empty token or a wildcard
 */
export function checkSubjectPrefix(prefix: string): string {
  for (const token of prefix.split('.')) checkSubjectToken('prefix', token);
  return prefix;
}

/** The subject of an event: `<prefix>.<account>.p<priority>.<type>[.<key>]`. */
export function laneSubject(prefix: string, account: string, priority: EventPriority, eventType: string, key?: string): string {
  const base = `${prefix}.${account}.p${priority}.${eventType}`;
  return key === undefined ? base : `${base}.${key}`;
}

/** Every subject of one lane for `account` (`*` for all accounts): `<prefix>.<account>.p<n>.>`. */
export function laneFilter(prefix: string, account: string, priority: EventPriority): string {
  return `${prefix}.${account}.p${priority}.>`;
}

/** Stream name of a lane: `<name>_P<n>` (stream names may not hold dots). */
export function laneStreamName(name: string, priority: EventPriority): string {
  return `${name}_P${priority}`;
}

/** A stream-name-safe form of a subject prefix: `qts.desk1` → `QTS_DESK1`. */
export function streamNameOf(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
}
