/**
 * Persistence of the operating state: snapshot ↔ JSON with every timer intact, and a small
 * {@link StateStore} interface with a store in memory. The store in a file, `JsonFileStateStore`,
 * is Node-only and lives in `qts-reactive/node`.
 */
import type { z } from 'zod';
import {
  operatingStateSnapshotSchema,
  PERSISTED_STATE_FORMAT,
  persistedOperatingStateSchema,
  type OperatingStateSnapshot,
  type PersistedOperatingState,
} from './contracts.js';

/** Thrown for a corrupt, foreign or invalid snapshot; `source` names the file or argument. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
  constructor(
    /** Where the snapshot came from: a file path, `initial`, `json`. */
    readonly source: string,
    /** The offending field path, or `snapshot` for the whole value. */
    readonly field: string,
    /** What was expected and what came. */
    readonly problem: string,
  ) {
    super(`${source}: ${field}: ${problem}`);
  }
}

function issueToError(source: string, error: z.ZodError, value: unknown): SnapshotError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return new SnapshotError(source, issue.keys.join(', '), 'unknown field');
  const field = issue.path.length > 0 ? issue.path.join('.') : 'snapshot';
  let got: unknown = value;
  for (const key of issue.path) got = (got as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  return new SnapshotError(source, field, `${issue.message}, got ${shown}`);
}

/**
 * Validates a snapshot: a persisted one (with the format marker) fully, a plain
 * {@link OperatingStateSnapshot} by its state fields.
 * @throws {SnapshotError} naming the field
 */
export function parseSnapshot(value: unknown, source = 'snapshot'): OperatingStateSnapshot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotError(source, 'snapshot', `expected an operating-state snapshot object, got ${JSON.stringify(value)}`);
  }
  if ('format' in value) return parsePersistedSnapshot(value, source);
  const result = operatingStateSnapshotSchema.safeParse(value);
  if (!result.success) throw issueToError(source, result.error, value);
  return value as OperatingStateSnapshot;
}

/**
 * Validates a persisted snapshot: the format marker, the version and every field, including the
 * override's own consistency (expiry after start).
 * @throws {SnapshotError} naming the field; a value without our format marker is called foreign
 */
export function parsePersistedSnapshot(value: unknown, source = 'snapshot'): PersistedOperatingState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SnapshotError(source, 'snapshot', `expected an operating-state snapshot object, got ${JSON.stringify(value)}`);
  }
  const format = (value as { format?: unknown }).format;
  if (format !== PERSISTED_STATE_FORMAT) {
    throw new SnapshotError(
      source,
      'format',
      `expected ${JSON.stringify(PERSISTED_STATE_FORMAT)} (not an operating-state snapshot), got ${format === undefined ? 'nothing' : JSON.stringify(format)}`,
    );
  }
  const result = persistedOperatingStateSchema.safeParse(value);
  if (!result.success) throw issueToError(source, result.error, value);
  const s = result.data as PersistedOperatingState;
  if (s.override !== null) {
    if (s.override.expiryTime <= s.override.overrideTime) {
      throw new SnapshotError(source, 'override.expiryTime', `expected after overrideTime ${s.override.overrideTime}, got ${s.override.expiryTime}`);
    }
    if (s.overrideExpiry !== s.override.expiryTime || !s.manualOverride) {
      throw new SnapshotError(source, 'overrideExpiry', `expected ${s.override.expiryTime} with manualOverride true, got ${s.overrideExpiry}`);
    }
  }
  return s;
}

/** A persisted snapshot as JSON text (timers included). */
export function snapshotToJson(snapshot: PersistedOperatingState): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/**
 * Reads a persisted snapshot from JSON text.
 * @throws {SnapshotError} for text that is not JSON, or not one of our snapshots
 */
export function snapshotFromJson(text: string, source = 'json'): PersistedOperatingState {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(source, 'snapshot', `expected JSON, got corrupt text (${(error as Error).message})`);
  }
  return parsePersistedSnapshot(value, source);
}

/** Where a manager's persisted snapshot is kept between runs. */
export interface StateStore {
  /** The stored snapshot, or null when none was ever saved. Rejects with a SnapshotError when corrupt. */
  load(): Promise<PersistedOperatingState | null>;
  /** Replaces the stored snapshot; either the old or the new one survives a crash, never a mix. */
  save(snapshot: PersistedOperatingState): Promise<void>;
}

/** A {@link StateStore} in memory (tests, replays). Stores the JSON text, so a load is a fresh copy. */
export class InMemoryStateStore implements StateStore {
  private text: string | null = null;

  /** @inheritDoc */
  load(): Promise<PersistedOperatingState | null> {
    try {
      return Promise.resolve(this.text === null ? null : snapshotFromJson(this.text, 'memory'));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** @inheritDoc */
  save(snapshot: PersistedOperatingState): Promise<void> {
    this.text = snapshotToJson(snapshot);
    return Promise.resolve();
  }
}
