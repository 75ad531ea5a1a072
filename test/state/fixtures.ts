/** Shared fixtures for the operating-state tests: metrics, a virtual clock, overrides, a reducer run. */
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import {
  createOperatingStateReducer,
  type ManualOverride,
  type OperatingState,
  type OperatingStateInput,
  type OperatingStateModel,
  type StateConfig,
  type TransitionMetrics,
} from '../../src/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Nothing fires anywhere except DEFENSIVE → BALANCED (calm market, profitable streak). */
export const CALM: TransitionMetrics = Object.freeze({
  drawdownPct: 0.02,
  vix: 18,
  consecutiveScalpLosses: 0,
  dailyLossPct: 0,
  marketCircuitBreaker: false,
  consecutiveProfitableDays: 4,
  cagr: 0.05,
  targetCagr: 0.08,
  capitalGrowthPct: 0.05,
  winRate30d: 0.5,
});

/** BALANCED → AGGRESSIVE fires (and nothing demotes). */
export const BULL: TransitionMetrics = Object.freeze({
  ...CALM,
  drawdownPct: 0.01,
  vix: 12,
  cagr: 0.2,
  capitalGrowthPct: 0.15,
  winRate30d: 0.7,
});

/** VIX 31.2: AGGRESSIVE → BALANCED and BALANCED → DEFENSIVE fire. */
export const STRESS: TransitionMetrics = Object.freeze({ ...CALM, vix: 31.2, consecutiveProfitableDays: 0 });

/** `base` with some metrics replaced. */
export function m(overrides: Partial<TransitionMetrics>, base: TransitionMetrics = CALM): TransitionMetrics {
  return { ...base, ...overrides };
}

/** A virtual clock: `now()` is the frame, `advance(ms)` moves it. */
export class Clock {
  readonly scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  now(): number {
    return this.scheduler.now();
  }
  advance(ms: number): void {
    this.scheduler.schedule(() => undefined, ms);
    this.scheduler.flush();
  }
  /** Moves to the absolute time `t` (not backwards). */
  at(t: number): void {
    if (t > this.now()) this.advance(t - this.now());
  }
}

/** A valid override starting at `start` for `days`. */
export function override(
  state: OperatingState,
  start: number,
  days: number,
  revert: OperatingState = 'BALANCED',
): ManualOverride {
  return {
    overrideState: state,
    overrideReason: 'desk call',
    operatorId: 'op-7',
    overrideTime: start,
    expiryTime: start + days * DAY,
    autoRevertState: revert,
  };
}

/** Reduces `inputs` (each at its time) from `model` with the reducer of `config`, returning every model after the first. */
export function reduceEach(
  config: StateConfig,
  model: OperatingStateModel,
  inputs: readonly (readonly [at: number, input: OperatingStateInput])[],
): OperatingStateModel[] {
  const reduce = createOperatingStateReducer(config);
  const out: OperatingStateModel[] = [];
  for (const [at, input] of inputs) {
    model = reduce(model, input, at);
    out.push(model);
  }
  return out;
}
