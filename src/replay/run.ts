/**
 * The replay runner: feeds trading days, as events, through a pipeline on a virtual clock that
 * is advanced day by day, and collects the operating-state timeline.
 *
 * The system wiring (dispatcher, bridge, state manager, store) sits behind {@link ReplayPipeline}
 * so this loop, the metrics and the outputs can be tested on their own.
 */
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { Event, EventPriority } from '../event/contracts.js';
import type { EventConfig } from '../event/config.js';
import type { StateConfig } from '../state/config.js';
import type { EventDispatcher } from '../event/dispatcher/index.js';
import type { OperatingStateManager } from '../state/manager.js';
import type { OperatingState } from '../state/contracts.js';
import type { DailySeries } from './csv.js';
import { cycleTimeMs, dailyEvents, planIntradayBursts, seededRandom, tickEvents, type PayloadShapes } from './events.js';
import { DEFAULT_TARGET_CAGR, checkDerivedMetrics, deriveMetrics, joinDailySeries, type DayMetrics, type SkippedRows } from './metrics.js';

/** One operating-state transition as the replay reports it. `at` is epoch ms. */
export interface ReplayTransition {
  readonly at: number;
  readonly from: OperatingState;
  readonly to: OperatingState;
  readonly cause: string;
  readonly reason: string;
}

/** What one lane did during the replay. Latencies are virtual ms, enqueue → handler done. */
export interface LaneReport {
  readonly priority: EventPriority;
  /** Events dispatched to the lane. */
  readonly dispatched: number;
  /** Events its handlers finished. */
  readonly handled: number;
  /** Events whose handler failed (dead letters). */
  readonly failed: number;
  /** Events evicted, collapsed away, sampled out or left at shutdown. */
  readonly dropped: number;
  /** Drops by reason. */
  readonly dropsByReason: Readonly<Record<string, number>>;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
}

/** The system a replay drives: built once per run on the replay's virtual clock. */
export interface ReplayPipeline {
  /** Hands events to the system, in order, at the current virtual time. */
  dispatch(events: readonly Event[]): void;
  /** The operating state now. */
  currentState(): OperatingState;
  /** Every transition so far, oldest first. */
  transitions(): readonly ReplayTransition[];
  /** Per-lane figures so far, P0 first. */
  lanes(): readonly LaneReport[];
  /** Resolves once work the system deferred off the virtual clock (if any) has run. */
  settle(): Promise<void>;
  /** Stops the system and flushes what it persists. */
  close(): Promise<void>;
  /** The dispatcher and the state manager under replay, for observers (e.g. a metrics endpoint). */
  readonly system?: ReplaySystem;
}

/** The objects of a replayed system an observer may watch. */
export interface ReplaySystem {
  readonly dispatcher: EventDispatcher;
  readonly manager: OperatingStateManager;
}

/** What a pipeline factory is given. */
export interface PipelineContext {
  /** The replay's virtual clock, at 00:00 UTC of day 0. */
  readonly scheduler: VirtualTimeScheduler;
  /** Where the state store should persist, or null for no file. */
  readonly stateFile: string | null;
  /** The dispatcher's configuration, or null for the shipped defaults. */
  readonly eventConfig: EventConfig | null;
  /** The state manager's configuration, or null for the shipped defaults. */
  readonly stateConfig: StateConfig | null;
}

/** Builds the pipeline for one run; called with the clock at 00:00 UTC of day 0. */
export type PipelineFactory = (context: PipelineContext) => ReplayPipeline | Promise<ReplayPipeline>;

/** Options of {@link runReplay}. */
export interface ReplayOptions {
  readonly spx: DailySeries;
  readonly vix: DailySeries;
  /** Builds the system under replay. */
  readonly pipeline: PipelineFactory;
  /** Payload shapes the pipeline's bridge reads (default: `DEFAULT_PAYLOADS` of events.ts). */
  readonly payloads?: PayloadShapes;
  /** The CAGR the promotion rule compares against (default 0.08). */
  readonly targetCagr?: number;
  /** Mean synthetic intraday ticks per trading day (default 0: none). */
  readonly intradayTicksPerDay?: number;
  /** Seed of the tick generator (default 1). */
  readonly seed?: number;
  /** Where the state store persists the operating state, or null for no file. */
  readonly stateFile?: string | null;
  /** The dispatcher's configuration (default: the shipped `config/event.yaml`). */
  readonly eventConfig?: EventConfig | null;
  /** The state manager's configuration (default: the shipped `config/state.yaml`). */
  readonly stateConfig?: StateConfig | null;
  /** Called after each trading day with (days done, total days). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Everything a replay produced, for the summary, the JSON and the HTML report. */
export interface ReplayResult {
  readonly spxFile: string;
  readonly vixFile: string;
  readonly days: readonly DayMetrics[];
  /** The operating state after each day's cycle, one per day. */
  readonly stateByDay: readonly OperatingState[];
  readonly initialState: OperatingState;
  readonly transitions: readonly ReplayTransition[];
  readonly skipped: SkippedRows;
  readonly lanes: readonly LaneReport[];
  /** Trading days spent in each state (counted at each day's cycle). */
  readonly tradingDaysInState: Readonly<Record<OperatingState, number>>;
  readonly targetCagr: number;
  readonly intradayTicksPerDay: number;
  /** Synthetic ticks generated in all. */
  readonly intradayTicks: number;
}

/** One line of the machine-readable timeline (`--json`). */
export interface TimelineEntry {
  /** ISO date `YYYY-MM-DD` of the trading day whose cycle made the transition. */
  readonly at: string;
  readonly from: OperatingState;
  readonly to: OperatingState;
  readonly cause: string;
  readonly reason: string;
}

/** The transitions as `[{ at, from, to, cause, reason }]` with `at` an ISO date, nothing else. */
export function toTimeline(transitions: readonly ReplayTransition[]): TimelineEntry[] {
  return transitions.map((t) => ({ at: new Date(t.at).toISOString().slice(0, 10), from: t.from, to: t.to, cause: t.cause, reason: t.reason }));
}

/**
 * Replays the joined days through the pipeline on a `VirtualTimeScheduler` that starts at 00:00 UTC
 * of day 0 and is flushed one trading day at a time: each day's synthetic ticks (if any) during the
 * session, then its cycle events at 21:00 UTC.
 *
 * @throws {ReplayInputError} when the files do not overlap, or a close yields metrics that are not finite
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayResult> {
  const targetCagr = options.targetCagr ?? DEFAULT_TARGET_CAGR;
  const ticksPerDay = options.intradayTicksPerDay ?? 0;
  const { days: tradingDays, skipped } = joinDailySeries(options.spx, options.vix);
  const days = deriveMetrics(tradingDays, targetCagr);
  checkDerivedMetrics(days, options.spx.file);
  const first = days[0]!;

  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  scheduler.frame = first.day.dateMs;
  const pipeline = await options.pipeline({
    scheduler,
    stateFile: options.stateFile ?? null,
    eventConfig: options.eventConfig ?? null,
    stateConfig: options.stateConfig ?? null,
  });
  const initialState = pipeline.currentState();
  const stateByDay: OperatingState[] = [];
  const tradingDaysInState: Record<OperatingState, number> = { AGGRESSIVE: 0, BALANCED: 0, DEFENSIVE: 0 };
  const random = seededRandom(options.seed ?? 1);
  const meanVix = days.reduce((sum, d) => sum + d.day.vix, 0) / days.length;
  let intradayTicks = 0;
  let sequence = 0;

  try {
    for (let i = 0; i < days.length; i++) {
      const row = days[i]!;
      if (ticksPerDay > 0) {
        for (const burst of planIntradayBursts(row.day, ticksPerDay, meanVix, random)) {
          intradayTicks += burst.ticks;
          scheduler.schedule(() => {
            const events: Event[] = [];
            for (let t = 0; t < burst.ticks; t++) events.push(...tickEvents(row.day, sequence++, random, scheduler));
            pipeline.dispatch(events);
          }, burst.atMs - scheduler.now());
        }
      }
      scheduler.schedule(() => pipeline.dispatch(dailyEvents(row, scheduler, options.payloads)), cycleTimeMs(row.day) - scheduler.now());
      // Run everything due before the next trading day starts (handlers, batch timers, the cycle).
      const next = days[i + 1];
      scheduler.maxFrames = next === undefined ? cycleTimeMs(row.day) + 3_600_000 : next.day.dateMs - 1;
      scheduler.flush();
      await pipeline.settle();
      const state = pipeline.currentState();
      stateByDay.push(state);
      tradingDaysInState[state]++;
      options.onProgress?.(i + 1, days.length);
    }
  } finally {
    await pipeline.close();
    scheduler.maxFrames = Infinity;
  }
  return {
    spxFile: options.spx.file,
    vixFile: options.vix.file,
    days,
    stateByDay,
    initialState,
    transitions: pipeline.transitions(),
    skipped,
    lanes: pipeline.lanes(),
    tradingDaysInState,
    targetCagr,
    intradayTicksPerDay: ticksPerDay,
    intradayTicks,
  };
}
