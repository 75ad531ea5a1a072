/**
 * Turning replayed trading days into events: the six daily events of one evaluation cycle, and
 * optional synthetic intraday ticks that load the market-data and UI lanes.
 */
import type { SchedulerLike } from 'rxjs';
import { type Event, type EventType } from '../event/contracts.js';
import { createEvent } from '../event/createEvent.js';
import type { DayMetrics, TradingDay } from './metrics.js';

/** The source name stamped on every replay event. */
export const REPLAY_SOURCE = 'replay';

/** Hour (UTC) of a trading day's evaluation cycle: after the US close. */
export const CYCLE_HOUR_UTC = 21;

/** Intraday ticks arrive between 14:30 and 21:00 UTC (the US session, ignoring daylight saving). */
export const SESSION_OPEN_MS = (14 * 60 + 30) * 60_000;
/** End of the synthetic session, as ms after 00:00 UTC. */
export const SESSION_CLOSE_MS = CYCLE_HOUR_UTC * 3_600_000;

/** Epoch ms of a trading day's evaluation cycle (21:00 UTC of its date). */
export function cycleTimeMs(day: TradingDay): number {
  return day.dateMs + SESSION_CLOSE_MS;
}

/** How the replay shapes RISK_EVALUATE and VIX_UPDATE payloads, so the bridge can read them. */
export interface PayloadShapes {
  /** The RISK_EVALUATE payload carrying a day's metrics. */
  readonly riskEvaluate: (row: DayMetrics) => Record<string, unknown>;
  /** The VIX_UPDATE payload carrying a VIX close. */
  readonly vixUpdate: (row: DayMetrics) => Record<string, unknown>;
}

/**
 * Default payloads, as the events → state bridge reads them: RISK_EVALUATE carries exactly the
 * `TransitionMetrics` (no other key), VIX_UPDATE carries `vix`.
 */
export const DEFAULT_PAYLOADS: PayloadShapes = {
  riskEvaluate: (row) => ({ ...row.metrics }),
  vixUpdate: (row) => ({ date: row.day.date, symbol: 'VIX', vix: row.day.vix }),
};

/**
 * The events of one trading day's cycle, in dispatch order: INDEX_UPDATE and VIX_UPDATE (P1),
 * RISK_EVALUATE with the day's metrics then ETEDA_CYCLE_START (P2), DASHBOARD_UPDATE and
 * LOG_WRITE (P3). Timestamps come from `scheduler.now()`.
 */
export function dailyEvents(row: DayMetrics, scheduler: SchedulerLike, payloads: PayloadShapes = DEFAULT_PAYLOADS): Event[] {
  const { day, metrics } = row;
  const make = (type: EventType, payload: Record<string, unknown>): Event =>
    createEvent(type, { source: REPLAY_SOURCE, payload }, scheduler);
  return [
    make('INDEX_UPDATE', { date: day.date, symbol: 'SPX', close: day.close, dailyReturn: row.dailyReturn }),
    make('VIX_UPDATE', payloads.vixUpdate(row)),
    make('RISK_EVALUATE', payloads.riskEvaluate(row)),
    make('ETEDA_CYCLE_START', { date: day.date, cycle: day.index }),
    make('DASHBOARD_UPDATE', { date: day.date, close: day.close, vix: day.vix, drawdownPct: metrics.drawdownPct }),
    make('LOG_WRITE', { date: day.date, message: `day ${day.index} ${day.date} close ${day.close} vix ${day.vix}` }),
  ];
}

/** A deterministic PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A burst of synthetic ticks arriving together. */
export interface TickBurst {
  /** Epoch ms at which the whole burst arrives. */
  readonly atMs: number;
  readonly ticks: number;
}

/**
 * Plans a day's synthetic intraday ticks as bursts inside the session.
 *
 * The day gets `round(ticksPerDay × vix / meanVix)` ticks, so the replay averages `ticksPerDay`
 * and a VIX-80 day carries about four times a calm day's load. Ticks come in bursts whose mean
 * size also grows with the VIX (a tenth of the day's ticks on an average day), at uniformly drawn
 * times, so stressed days flood the lanes in few large waves. Deterministic for a given `random`.
 *
 * @returns bursts ordered by time (ties keep draw order)
 */
export function planIntradayBursts(day: TradingDay, ticksPerDay: number, meanVix: number, random: () => number): TickBurst[] {
  const scale = meanVix > 0 ? day.vix / meanVix : 1;
  let remaining = Math.round(ticksPerDay * scale);
  const meanBurst = Math.max(1, (ticksPerDay / 10) * scale);
  const bursts: TickBurst[] = [];
  const sessionMs = SESSION_CLOSE_MS - SESSION_OPEN_MS;
  while (remaining > 0) {
    // Exponentially distributed burst sizes: many small bursts, a few large ones.
    const size = Math.min(remaining, 1 + Math.floor(-Math.log(1 - random()) * meanBurst));
    remaining -= size;
    // Whole milliseconds, strictly before the cycle at the session close.
    bursts.push({ atMs: day.dateMs + SESSION_OPEN_MS + Math.floor(random() * (sessionMs - 1)), ticks: size });
  }
  return bursts.sort((a, b) => a.atMs - b.atMs);
}

/**
 * The events of one synthetic tick: a PRICE_TICK (P1) near the day's close and the
 * DASHBOARD_UPDATE (P3) it triggers.
 */
export function tickEvents(day: TradingDay, sequence: number, random: () => number, scheduler: SchedulerLike): [Event, Event] {
  // A price within ± vix/10 % of the close: wider on stressed days.
  const price = Math.round(day.close * (1 + (random() - 0.5) * (day.vix / 500)) * 100) / 100;
  return [
    createEvent('PRICE_TICK', { source: REPLAY_SOURCE, payload: { symbol: 'SPX', price, sequence } }, scheduler),
    createEvent('DASHBOARD_UPDATE', { source: REPLAY_SOURCE, payload: { symbol: 'SPX', price, sequence } }, scheduler),
  ];
}
