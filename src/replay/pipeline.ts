/**
 * The system a replay drives, wired as an application would wire it: an {@link EventDispatcher}
 * with its four lanes, the events → state bridge, and an {@link OperatingStateManager} persisted
 * by the {@link JsonFileStateStore}, all on the replay's virtual clock.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Subject, tap, timer, type Observable } from 'rxjs';
import { instrument } from '../debug/instrument.js';
import { EVENT_PRIORITIES, type Event, type EventPriority } from '../event/contracts.js';
import type { DeepPartial } from '../common/plain.js';
import type { EventConfig } from '../event/config.js';
import { EventDispatcher } from '../event/dispatcher/index.js';
import { connectEventsToState } from '../state/bridge.js';
import { OperatingStateManager } from '../state/manager.js';
import { JsonFileStateStore } from '../state/store.js';
import type { LaneReport, PipelineContext, ReplayPipeline, ReplayTransition } from './run.js';

/**
 * Simulated handler service time per event, in virtual ms, by lane: market data (P1) costs 20 µs
 * an event and UI work (P3) 200 µs, so synthetic intraday bursts build real backlogs (and
 * latencies) on the virtual clock. P0 and P2 handlers finish at once.
 */
export const SIMULATED_SERVICE_MS_PER_EVENT: Readonly<Record<EventPriority, number>> = Object.freeze({ 0: 0, 1: 0.02, 2: 0, 3: 0.2 });

/**
 * The dispatcher configuration of a replay: `base` (default: the shipped one) with P2 delivering
 * each batch at once (no batching window), so a trading day's evaluation cycle runs at exactly
 * 21:00 UTC.
 */
export function replayEventConfig(base: EventConfig | null): DeepPartial<EventConfig> {
  const p2 = base === null ? {} : base.queues.p2;
  return { ...base, queues: { ...base?.queues, p2: { ...p2, batchTimeoutMs: 0 } } };
}

/** Whole-run latency counts by value (virtual ms are few distinct values), for exact percentiles. */
class LatencyCounts {
  private readonly counts = new Map<number, number>();
  total = 0;

  record(latencyMs: number, times: number): void {
    this.counts.set(latencyMs, (this.counts.get(latencyMs) ?? 0) + times);
    this.total += times;
  }

  /** Nearest-rank percentile, `fraction` in (0, 1]; 0 when nothing was recorded. */
  percentile(fraction: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.total));
    let seen = 0;
    for (const [value, count] of [...this.counts].sort((a, b) => a[0] - b[0])) {
      seen += count;
      if (seen >= rank) return value;
    }
    return 0;
  }

  get max(): number {
    return this.total === 0 ? 0 : Math.max(...this.counts.keys());
  }
}

/**
 * Builds the replay's system on the context's virtual clock: initial state BALANCED with its clock
 * at the context's `now()` (00:00 UTC of day 0); safety stays NORMAL. Every lane gets a handler
 * that simulates {@link SIMULATED_SERVICE_MS_PER_EVENT} and records enqueue → done latency; the
 * bridge's handlers on P1 and P2 drive the state manager. After each day `settle()` saves the
 * state to the store if it changed.
 */
export function createSystemPipeline(context: PipelineContext): ReplayPipeline {
  const { scheduler } = context;
  const dispatcher = new EventDispatcher(replayEventConfig(context.eventConfig), { scheduler });
  const manager = new OperatingStateManager(context.stateConfig ?? {}, { scheduler, name: 'replay.operatingState' });
  const store = context.stateFile === null ? null : new JsonFileStateStore(context.stateFile);
  const transitions: ReplayTransition[] = [];
  const latencies = EVENT_PRIORITIES.map(() => new LatencyCounts());
  const errors: Error[] = [];

  const subscriptions = [
    manager.transitions$.subscribe((t) => transitions.push(t)),
    dispatcher.failures$.subscribe((f) => errors.push(f.error instanceof Error ? f.error : new Error(String(f.error)))),
  ];
  connectEventsToState(dispatcher, manager, { onError: (error) => errors.push(error) });

  const recordBatch = (priority: EventPriority, batch: readonly Event[]): void => {
    const now = scheduler.now();
    const counts = latencies[priority]!;
    for (const event of batch) counts.record(now - event.timestamp, 1);
  };
  for (const priority of EVENT_PRIORITIES) {
    dispatcher.registerHandler(priority, (batch): Observable<unknown> | void => {
      const serviceMs = SIMULATED_SERVICE_MS_PER_EVENT[priority] * batch.length;
      if (serviceMs === 0) return recordBatch(priority, batch);
      return timer(serviceMs, scheduler).pipe(tap({ complete: () => recordBatch(priority, batch) }));
    });
  }

  const input = new Subject<Event>();
  dispatcher.ingest(input.pipe(instrument<Event>('replay.events')));
  void dispatcher.start();

  let savedTransitions = -1;
  let directoryReady: Promise<unknown> | null = null;
  const save = async (): Promise<void> => {
    if (store === null || savedTransitions === transitions.length) return;
    savedTransitions = transitions.length;
    directoryReady ??= mkdir(dirname(store.path), { recursive: true });
    await directoryReady;
    await store.save(manager.getPersistedSnapshot());
  };

  return {
    system: { dispatcher, manager },
    dispatch(events) {
      for (const event of events) input.next(event);
    },
    currentState: () => manager.currentState,
    transitions: () => transitions,
    lanes(): LaneReport[] {
      return dispatcher.sampleMetrics().lanes.map((lane) => {
        const counts = latencies[lane.priority]!;
        const dropsByReason = { evicted: lane.evicted, collapsed: lane.collapsed, sampled: lane.rejected, shutdown: lane.shutdown };
        return {
          priority: lane.priority,
          dispatched: lane.enqueued,
          handled: lane.handled,
          failed: lane.failed,
          dropped: lane.evicted + lane.collapsed + lane.rejected + lane.shutdown,
          dropsByReason,
          latencyP50Ms: counts.percentile(0.5),
          latencyP99Ms: counts.percentile(0.99),
          latencyMaxMs: counts.max,
        };
      });
    },
    async settle() {
      if (errors.length > 0) throw errors[0]!;
      await save();
    },
    async close() {
      input.complete();
      const stopped = dispatcher.stop();
      scheduler.maxFrames = Infinity;
      scheduler.flush();
      await stopped;
      for (const s of subscriptions) s.unsubscribe();
      savedTransitions = -1; // the final snapshot, with the time spent in the last state
      await save();
      manager.dispose();
    },
  };
}
