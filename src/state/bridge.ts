/**
 * The events → operating state bridge: RISK_EVALUATE events carry the metrics, VIX_UPDATE events
 * refresh the latest metrics' VIX, ETEDA_CYCLE_START events run one evaluation cycle.
 */
import type { Event, EventPriority } from '../event/contracts.js';
import type { SafetyState } from '../safety/state.js';
import type { OperatingState, TransitionMetrics } from './contracts.js';
import { MetricsError, parseTransitionMetrics } from './rules.js';

/** Anything handlers can be registered with per priority (the `EventDispatcher` is one). */
export interface HandlerRegistry {
  registerHandler(priority: EventPriority, handler: (batch: readonly Event[]) => unknown): () => void;
}

/** What the bridge drives (an `OperatingStateManager` is one). */
export interface EvaluationTarget {
  evaluateTransition(metrics: TransitionMetrics, safety?: SafetyState): OperatingState | null;
}

/** Options of {@link connectEventsToState}. */
export interface EventStateBridgeOptions {
  /**
   * Receives an event whose payload is invalid. Without it, the first such error of a batch is
   * thrown after the rest of the batch is handled, so the dispatcher records it as a failure.
   */
  readonly onError?: (error: Error, event: Event) => void;
}

/** A live bridge: its latest metrics, and a function that disconnects it. */
export interface EventStateBridge {
  /** The metrics the next ETEDA_CYCLE_START will evaluate, or null before the first RISK_EVALUATE. */
  readonly latestMetrics: TransitionMetrics | null;
  /** Cycles run so far, and cycles skipped because no metrics had arrived yet. */
  readonly cycles: { readonly evaluated: number; readonly skippedWithoutMetrics: number };
  /** Unregisters the bridge's handlers. */
  disconnect(): void;
}

/**
 * Connects a dispatcher's lanes to an operating-state target (SPEC 2.6).
 *
 * - RISK_EVALUATE (P2): the payload is a full {@link TransitionMetrics}; it becomes the latest metrics.
 * - VIX_UPDATE (P1): the payload's `vix` replaces the latest metrics' VIX (ignored before any metrics).
 * - ETEDA_CYCLE_START (P2): one evaluation cycle with the latest metrics (skipped and counted before any).
 *
 * Safety reaches the target on its own path (e.g. `manager.updateSafety`); a cycle uses the last
 * safety state the target saw.
 *
 * @example
 * ```ts
 * const bridge = connectEventsToState(dispatcher, manager);
 * await dispatcher.dispatch(createEvent('RISK_EVALUATE', { payload: metrics }));
 * await dispatcher.dispatch(createEvent('ETEDA_CYCLE_START'));
 * ```
 */
export function connectEventsToState(
  registry: HandlerRegistry,
  target: EvaluationTarget,
  options: EventStateBridgeOptions = {},
): EventStateBridge {
  let latest: TransitionMetrics | null = null;
  const cycles = { evaluated: 0, skippedWithoutMetrics: 0 };

  function handleBatch(batch: readonly Event[]): void {
    let firstError: Error | undefined;
    for (const event of batch) {
      try {
        handleEvent(event);
      } catch (error) {
        const e = error as Error;
        if (options.onError !== undefined) options.onError(e, event);
        else firstError ??= e;
      }
    }
    if (firstError !== undefined) throw firstError;
  }

  function handleEvent(event: Event): void {
    switch (event.eventType) {
      case 'RISK_EVALUATE':
        latest = parseTransitionMetrics(event.payload);
        break;
      case 'VIX_UPDATE': {
        const vix = event.payload['vix'];
        if (typeof vix !== 'number' || !Number.isFinite(vix) || vix < 0) {
          throw new MetricsError('vix', 'a number ≥ 0 in the VIX_UPDATE payload', vix);
        }
        if (latest !== null) latest = { ...latest, vix };
        break;
      }
      case 'ETEDA_CYCLE_START':
        if (latest === null) {
          cycles.skippedWithoutMetrics += 1;
        } else {
          cycles.evaluated += 1;
          target.evaluateTransition(latest);
        }
        break;
      default:
        break;
    }
  }

  const unregisterP1 = registry.registerHandler(1, handleBatch);
  const unregisterP2 = registry.registerHandler(2, handleBatch);
  return {
    get latestMetrics() {
      return latest;
    },
    cycles,
    disconnect() {
      unregisterP1();
      unregisterP2();
    },
  };
}
