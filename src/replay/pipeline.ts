/**
 * The system a replay drives: the operating-state manager with its file store, fed by the replay's
 * events. (Interim wiring: events are applied in order without the dispatcher's lanes.)
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Event, EventPriority } from '../event/contracts.js';
import { OperatingStateManager } from '../state/manager.js';
import { JsonFileStateStore } from '../state/store.js';
import type { StateTransition, TransitionMetrics } from '../state/contracts.js';
import type { LaneReport, PipelineContext, ReplayPipeline, ReplayTransition } from './run.js';

/** Builds the replay's system on the context's virtual clock: initial state BALANCED, clock at day 0. */
export function createSystemPipeline(context: PipelineContext): ReplayPipeline {
  const { scheduler } = context;
  const manager = new OperatingStateManager({}, { scheduler, name: 'replay.operatingState' });
  const store = context.stateFile === null ? null : new JsonFileStateStore(context.stateFile);
  const transitions: ReplayTransition[] = [];
  const subscription = manager.transitions$.subscribe((t: StateTransition) => transitions.push(t));
  const dispatched = [0, 0, 0, 0];
  let latest: TransitionMetrics | null = null;
  let saved = -1;
  let directoryReady: Promise<unknown> | null = null;

  return {
    dispatch(events: readonly Event[]) {
      for (const event of events) {
        dispatched[event.priority]!++;
        if (event.eventType === 'RISK_EVALUATE') latest = event.payload['metrics'] as unknown as TransitionMetrics;
        else if (event.eventType === 'VIX_UPDATE' && latest !== null) latest = { ...latest, vix: event.payload['vix'] as number };
        else if (event.eventType === 'ETEDA_CYCLE_START' && latest !== null) manager.evaluateTransition(latest, 'NORMAL');
      }
    },
    currentState: () => manager.currentState,
    transitions: () => transitions,
    lanes(): LaneReport[] {
      return dispatched.map((n, p) => ({
        priority: p as EventPriority,
        dispatched: n,
        handled: n,
        dropped: 0,
        dropsByReason: {},
        latencyP50Ms: 0,
        latencyP99Ms: 0,
        latencyMaxMs: 0,
      }));
    },
    async settle() {
      if (store === null || saved === transitions.length) return;
      directoryReady ??= mkdir(dirname(store.path), { recursive: true });
      await directoryReady;
      saved = transitions.length;
      await store.save(manager.getPersistedSnapshot());
    },
    async close() {
      subscription.unsubscribe();
      if (store !== null) {
        saved = -1;
        await this.settle();
      }
      manager.dispose();
    },
  };
}
