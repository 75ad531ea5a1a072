/**
 * The operating state shared by every instance through a NATS KV bucket: one key per state
 * machine holds the persisted snapshot (the same JSON a file store keeps), the last cycle's id and
 * transitions, and the ids of recent cycles.
 *
 * A cycle is reduced locally with the shared pure reducer and written with the revision it was
 * read at (compare-and-set). When another instance wrote first the write is refused, and the cycle
 * is reduced again on the newer state — at most `maxAttempts` times, then a
 * {@link StateConflictError} goes to `errors$` (and rejects the call) and nothing is written. A
 * cycle id already in the recent ids is a no-op, so a redelivered or duplicated cycle changes the
 * state once however many instances run it. Every instance's `state$` and `transitions$` follow
 * the KV watch, whichever instance wrote.
 */
import { BehaviorSubject, Subject, asyncScheduler, distinctUntilChanged, map, type Observable, type SchedulerLike } from 'rxjs';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeepPartial } from '../common/plain.js';
import { resolveStateConfig, type StateConfig } from '../state/config.js';
import type { OperatingState, OperatingStateSnapshot, PersistedOperatingState, StateTransition, TransitionMetrics } from '../state/contracts.js';
import {
  createOperatingStateReducer,
  initialOperatingState,
  modelFromSnapshot,
  persistedSnapshotOf,
  type OperatingStateInput,
  type OperatingStateReducer,
} from '../state/reducer.js';
import { parsePersistedSnapshot, parseSnapshot } from '../state/snapshot.js';
import type { SafetyState } from '../safety/state.js';
import { SharedStateFormatError, StateConflictError } from './errors.js';
import { checkSubjectToken } from './subjects.js';

/** Format marker of the KV value. */
export const SHARED_STATE_FORMAT = 'qts-reactive/shared-operating-state' as const;

/** API error codes of a compare-and-set write whose expected revision is stale. */
const WRONG_LAST_SEQUENCE = new Set([10071, 10164]);

/** The KV value of a shared state machine. */
export interface SharedStateEnvelope {
  readonly format: typeof SHARED_STATE_FORMAT;
  readonly version: 1;
  readonly snapshot: PersistedOperatingState;
  /** The cycle that wrote this value (null for the initial value). */
  readonly cycle: { readonly id: string; readonly at: number; readonly transitions: readonly StateTransition[] } | null;
  /** Ids of the most recent cycles, oldest first. */
  readonly recentCycles: readonly string[];
}

/** Options of {@link NatsOperatingState.open}. */
export interface NatsOperatingStateOptions {
  /** KV bucket (created when missing, history 64). */
  readonly bucket: string;
  /** Key of this state machine (a subject token, e.g. `desk1`). */
  readonly key: string;
  /** Thresholds and gates (default: the shipped `config/state.yaml`); every instance must use the same. */
  readonly config?: DeepPartial<StateConfig>;
  /** The value written when the key does not exist yet (default BALANCED with its clock at `scheduler.now()`). */
  readonly initial?: OperatingStateSnapshot | { readonly state: OperatingState; readonly since: number };
  /** Clock for the initial value and the default cycle time (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
  /** Compare-and-set attempts per cycle before giving up (default 25). */
  readonly maxAttempts?: number;
  /** Cycle ids remembered for making duplicates no-ops (default 512). */
  readonly recentCycles?: number;
}

/** What {@link NatsOperatingState.apply} did. */
export interface CycleResult {
  /** False when the cycle id had already been applied (nothing was written). */
  readonly applied: boolean;
  readonly transitions: readonly StateTransition[];
  /** The KV revision holding the cycle's result. */
  readonly revision: number;
  /** Writes refused because another instance wrote first. */
  readonly conflicts: number;
}

/** The operating state of one state machine, shared through NATS KV. */
export class NatsOperatingState {
  /** The state, following the KV watch (current value to late subscribers). */
  readonly state$: Observable<OperatingState>;
  /** Every transition, whichever instance's cycle made it, in revision order. */
  readonly transitions$: Observable<StateTransition>;
  /** Typed errors: {@link StateConflictError}, {@link SharedStateFormatError}, invalid input (e.g. `MetricsError`). */
  readonly errors$: Observable<Error>;
  /** Compare-and-set writes refused so far (another instance wrote first). */
  conflicts = 0;

  private readonly envelope$: BehaviorSubject<SharedStateEnvelope>;
  private readonly transitions = new Subject<StateTransition>();
  private readonly errors = new Subject<Error>();
  private readonly reducer: OperatingStateReducer;
  private readonly maxAttempts: number;
  private readonly recentLimit: number;
  private seenRevision: number;
  private watching: { stop(): void } | null = null;
  private readonly revisionWaiters: { revision: number; resolve: () => void }[] = [];
  private readonly cycleWaiters = new Map<string, (() => void)[]>();

  private constructor(
    private readonly kv: KV,
    private readonly options: NatsOperatingStateOptions,
    first: { envelope: SharedStateEnvelope; revision: number },
    config: StateConfig,
  ) {
    this.reducer = createOperatingStateReducer(config);
    this.maxAttempts = options.maxAttempts ?? 25;
    this.recentLimit = options.recentCycles ?? 512;
    this.envelope$ = new BehaviorSubject(first.envelope);
    this.seenRevision = first.revision;
    this.state$ = this.envelope$.pipe(
      map((e) => e.snapshot.currentState),
      distinctUntilChanged(),
    );
    this.transitions$ = this.transitions.asObservable();
    this.errors$ = this.errors.asObservable();
  }

  /**
   * Opens (creating when missing) the bucket and the key, and starts following the KV watch.
   * @throws {SharedStateFormatError} when the key holds something that is not a shared state
   */
  static async open(nc: NatsConnection, options: NatsOperatingStateOptions): Promise<NatsOperatingState> {
    checkSubjectToken('key', options.key);
    const config = resolveStateConfig(options.config ?? {});
    const kv = await new Kvm(nc).create(options.bucket, { history: 64 });
    const scheduler = options.scheduler ?? asyncScheduler;
    let entry = await kv.get(options.key);
    if (entry === null || entry.operation !== 'PUT') {
      const initial = initialEnvelope(options, scheduler.now());
      await kv.create(options.key, JSON.stringify(initial)).catch((error: unknown) => {
        if (!isConflict(error)) throw error; // another instance created it first
      });
      entry = await kv.get(options.key);
    }
    const first = { envelope: parseEnvelope(entry!, options), revision: entry!.revision };
    const shared = new NatsOperatingState(kv, options, first, config);
    await shared.watch();
    return shared;
  }

  /** The state now, as this instance last saw it. */
  get currentState(): OperatingState {
    return this.envelope$.getValue().snapshot.currentState;
  }

  /** The persisted snapshot this instance last saw (timers included). */
  get snapshot(): PersistedOperatingState {
    return this.envelope$.getValue().snapshot;
  }

  /** The KV revision this instance has seen. */
  get revision(): number {
    return this.seenRevision;
  }

  /**
   * Runs one evaluation cycle with `metrics` at `now` (default the scheduler's now); see
   * {@link NatsOperatingState.apply}.
   */
  evaluate(cycleId: string, metrics: TransitionMetrics, now: number, safety?: SafetyState): Promise<CycleResult> {
    return this.apply(cycleId, safety === undefined ? { kind: 'EVALUATE', metrics } : { kind: 'EVALUATE', metrics, safety }, now);
  }

  /**
   * Reduces `input` at `now` on the shared state and writes the result with compare-and-set,
   * unless cycle `cycleId` was already applied (then nothing happens and `applied` is false).
   *
   * @throws {StateConflictError} after `maxAttempts` refused writes (also on `errors$`); nothing written
   * @throws the reducer's typed error for invalid input (also on `errors$`); nothing written
   */
  async apply(cycleId: string, input: OperatingStateInput, now: number): Promise<CycleResult> {
    let conflicts = 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const entry = await this.kv.get(this.options.key);
      if (entry === null) throw this.report(new SharedStateFormatError(this.options.bucket, this.options.key, 0, 'expected a shared state, got no entry (deleted?)'));
      const current = this.parse(entry);
      if (current.recentCycles.includes(cycleId)) return { applied: false, transitions: [], revision: entry.revision, conflicts };
      let next;
      try {
        next = this.reducer(modelFromSnapshot(current.snapshot, now), input, now);
      } catch (error) {
        throw this.report(error as Error);
      }
      const recentCycles = [...current.recentCycles, cycleId];
      if (recentCycles.length > this.recentLimit) recentCycles.splice(0, recentCycles.length - this.recentLimit);
      const envelope: SharedStateEnvelope = {
        format: SHARED_STATE_FORMAT,
        version: 1,
        snapshot: persistedSnapshotOf(next, now),
        cycle: { id: cycleId, at: now, transitions: next.transitions },
        recentCycles,
      };
      try {
        const revision = await this.kv.update(this.options.key, JSON.stringify(envelope), entry.revision);
        return { applied: true, transitions: next.transitions, revision, conflicts };
      } catch (error) {
        if (!isConflict(error)) throw this.report(error as Error);
        conflicts += 1;
        this.conflicts += 1;
        // Back off a little, with jitter, so competing instances stop colliding in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
    throw this.report(new StateConflictError(this.options.bucket, this.options.key, cycleId, this.maxAttempts));
  }

  /** Resolves once this instance's watch has seen `revision` (or a later one). */
  whenSeen(revision: number): Promise<void> {
    if (this.seenRevision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.revisionWaiters.push({ revision, resolve }));
  }

  /** Resolves once this instance's watch has seen a value that includes cycle `cycleId`. */
  whenCycleSeen(cycleId: string): Promise<void> {
    if (this.envelope$.getValue().recentCycles.includes(cycleId)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiting = this.cycleWaiters.get(cycleId);
      if (waiting === undefined) this.cycleWaiters.set(cycleId, [resolve]);
      else waiting.push(resolve);
    });
  }

  /** Stops following the watch and completes the streams. */
  close(): void {
    this.watching?.stop();
    this.watching = null;
    this.envelope$.complete();
    this.transitions.complete();
    this.errors.complete();
  }

  private async watch(): Promise<void> {
    const iterator = await this.kv.watch({ key: this.options.key });
    this.watching = iterator;
    void (async () => {
      for await (const entry of iterator) this.onEntry(entry);
    })().catch((error: unknown) => this.report(error as Error));
  }

  private onEntry(entry: KvEntry): void {
    if (entry.operation !== 'PUT' || entry.revision <= this.seenRevision) return;
    let envelope: SharedStateEnvelope;
    try {
      envelope = this.parse(entry);
    } catch {
      return; // reported by parse
    }
    this.seenRevision = entry.revision;
    for (const t of envelope.cycle?.transitions ?? []) this.transitions.next(t);
    this.envelope$.next(envelope);
    if (this.cycleWaiters.size > 0) {
      for (const id of envelope.recentCycles) {
        const waiting = this.cycleWaiters.get(id);
        if (waiting === undefined) continue;
        this.cycleWaiters.delete(id);
        for (const resolve of waiting) resolve();
      }
    }
    for (let i = this.revisionWaiters.length - 1; i >= 0; i--) {
      const waiter = this.revisionWaiters[i]!;
      if (waiter.revision <= entry.revision) {
        this.revisionWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private parse(entry: KvEntry): SharedStateEnvelope {
    try {
      return parseEnvelope(entry, this.options);
    } catch (error) {
      throw this.report(error as Error);
    }
  }

  private report(error: Error): Error {
    this.errors.next(error);
    return error;
  }
}

function isConflict(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return typeof code === 'number' && WRONG_LAST_SEQUENCE.has(code);
}

function initialEnvelope(options: NatsOperatingStateOptions, now: number): SharedStateEnvelope {
  const initial = options.initial;
  let model;
  if (initial === undefined) model = initialOperatingState('BALANCED', now);
  else if ('state' in initial) model = initialOperatingState(initial.state, initial.since);
  else model = modelFromSnapshot(parseSnapshot(initial, 'initial'), now);
  return { format: SHARED_STATE_FORMAT, version: 1, snapshot: persistedSnapshotOf(model, now), cycle: null, recentCycles: [] };
}

function parseEnvelope(entry: KvEntry, options: NatsOperatingStateOptions): SharedStateEnvelope {
  const fail = (detail: string): never => {
    throw new SharedStateFormatError(options.bucket, options.key, entry.revision, detail);
  };
  let value: unknown;
  try {
    value = entry.json();
  } catch (error) {
    return fail(`expected JSON, got unreadable text (${(error as Error).message})`);
  }
  const v = value as Partial<SharedStateEnvelope> | null;
  if (v === null || typeof v !== 'object' || v.format !== SHARED_STATE_FORMAT) return fail(`format: expected "${SHARED_STATE_FORMAT}", got ${JSON.stringify(v?.format)}`);
  if (!Array.isArray(v.recentCycles)) return fail('recentCycles: expected an array of cycle ids');
  let snapshot: PersistedOperatingState;
  try {
    snapshot = parsePersistedSnapshot(v.snapshot, `${options.bucket}/${options.key}`);
  } catch (error) {
    return fail((error as Error).message);
  }
  return { format: SHARED_STATE_FORMAT, version: 1, snapshot, cycle: v.cycle ?? null, recentCycles: v.recentCycles };
}
