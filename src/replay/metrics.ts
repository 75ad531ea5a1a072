/**
 * The replay's metric derivation: joins the index and VIX series on common dates and turns each
 * trading day into the {@link TransitionMetrics} one evaluation cycle judges. Fixed exactly, so two
 * implementations agree to the day; `docs/replay.md` explains each formula.
 */
import type { TransitionMetrics } from '../state/contracts.js';
import { ReplayInputError, isoDateToEpochMs, type DailySeries } from './csv.js';

/** One day on which both series have a value. */
export interface TradingDay {
  /** 0 for the first common date. */
  readonly index: number;
  /** ISO date `YYYY-MM-DD`. */
  readonly date: string;
  /** Epoch ms of 00:00 UTC of `date`. */
  readonly dateMs: number;
  /** The index close. */
  readonly close: number;
  /** The VIX close. */
  readonly vix: number;
  /** Line of the index row in its file, for messages (absent for days built by hand). */
  readonly spxLine?: number;
}

/** Rows left out of the join, per file and per cause. */
export interface SkippedRows {
  /** Index rows with an empty close (market holidays). */
  readonly spxEmpty: number;
  /** Index rows with a close, dated outside the VIX file's range of dates with a value. */
  readonly spxOutsideRange: number;
  /** Index rows with a close, inside the VIX file's range, whose date has no VIX close. */
  readonly spxUnmatched: number;
  /** VIX rows with an empty close. */
  readonly vixEmpty: number;
  /** VIX rows with a close, dated outside the index file's range of dates with a value. */
  readonly vixOutsideRange: number;
  /** VIX rows with a close, inside the index file's range, whose date has no index close. */
  readonly vixUnmatched: number;
}

/** The trading days of a replay and what was skipped to get them. */
export interface JoinedSeries {
  readonly days: readonly TradingDay[];
  readonly skipped: SkippedRows;
}

/** One trading day with its daily return and the metrics derived for it. */
export interface DayMetrics {
  readonly day: TradingDay;
  /** `close_i / close_{i-1} - 1`; 0 on day 0. */
  readonly dailyReturn: number;
  /** The highest close so far (day 0 … i). */
  readonly peakClose: number;
  readonly metrics: TransitionMetrics;
}

/** The target CAGR a replay compares against unless told otherwise (8 % a year). */
export const DEFAULT_TARGET_CAGR = 0.08;

/** Milliseconds in the 365.25-day year used to annualise growth. */
export const YEAR_MS = 365.25 * 86_400_000;

/** Losing at least this much in one day counts as a market-wide circuit breaker (NYSE level 1). */
export const CIRCUIT_BREAKER_DAILY_RETURN = -0.07;

/** Returns window of `winRate30d`. */
export const WIN_RATE_WINDOW_DAYS = 30;

function lineSpan(series: DailySeries): string {
  const first = series.rows[0]!;
  const last = series.rows[series.rows.length - 1]!;
  return `${series.file}:${first.line}-${last.line} (${first.date} … ${last.date})`;
}

/** First and last date that has a value ('' … '' when none has). */
function valuedRange(series: DailySeries): [string, string] {
  const valued = series.rows.filter((r) => r.value !== null);
  return [valued[0]?.date ?? '', valued[valued.length - 1]?.date ?? ''];
}

/**
 * Joins the index and VIX series on the dates present in both with a value, oldest first, and
 * counts every row left out.
 *
 * @throws {ReplayInputError} when no date has a value in both files
 */
export function joinDailySeries(spx: DailySeries, vix: DailySeries): JoinedSeries {
  const vixByDate = new Map<string, number>();
  for (const row of vix.rows) if (row.value !== null) vixByDate.set(row.date, row.value);
  const [spxFirst, spxLast] = valuedRange(spx);
  const [vixFirst, vixLast] = valuedRange(vix);
  const days: TradingDay[] = [];
  const joinedDates = new Set<string>();
  let spxOutsideRange = 0;
  let spxUnmatched = 0;
  for (const row of spx.rows) {
    if (row.value === null) continue;
    const vixClose = vixByDate.get(row.date);
    if (vixClose === undefined) {
      if (row.date < vixFirst || row.date > vixLast) spxOutsideRange++;
      else spxUnmatched++;
      continue;
    }
    joinedDates.add(row.date);
    days.push({ index: days.length, date: row.date, dateMs: isoDateToEpochMs(row.date), close: row.value, vix: vixClose, spxLine: row.line });
  }
  if (days.length === 0) {
    throw new ReplayInputError(spx.file, null, `no date has a value in both files: ${lineSpan(spx)} and ${lineSpan(vix)} do not overlap`);
  }
  let vixOutsideRange = 0;
  let vixUnmatched = 0;
  for (const row of vix.rows) {
    if (row.value === null || joinedDates.has(row.date)) continue;
    if (row.date < spxFirst || row.date > spxLast) vixOutsideRange++;
    else vixUnmatched++;
  }
  return {
    days,
    skipped: { spxEmpty: spx.emptyRows, spxOutsideRange, spxUnmatched, vixEmpty: vix.emptyRows, vixOutsideRange, vixUnmatched },
  };
}

/**
 * Derives each trading day's {@link TransitionMetrics}, exactly:
 *
 * - `drawdownPct = 1 - close_i / max(close_0..close_i)`; `ret_i = close_i / close_{i-1} - 1`, `ret_0 = 0`
 * - `dailyLossPct = max(0, -ret_i)`; `marketCircuitBreaker = ret_i <= -0.07`
 * - `consecutiveProfitableDays` / `consecutiveScalpLosses`: the run of `ret > 0` / `ret < 0` ending at day i
 * - `vix` = that date's VIX close; `capitalGrowthPct = close_i / close_0 - 1`
 * - `cagr = (close_i / close_0) ^ (1 / years) - 1` with `years = (date_i - date_0) / 365.25 days`; 0 on day 0
 * - `winRate30d` = share of `ret > 0` among the last min(30, i) returns of days 1..i; 0 on day 0
 *
 * @param days trading days, oldest first, as {@link joinDailySeries} returns them
 * @param targetCagr carried into every day's metrics (default {@link DEFAULT_TARGET_CAGR})
 */
export function deriveMetrics(days: readonly TradingDay[], targetCagr: number = DEFAULT_TARGET_CAGR): DayMetrics[] {
  const out: DayMetrics[] = [];
  const first = days[0];
  if (first === undefined) return out;
  const returns: number[] = [];
  let peakClose = first.close;
  let previousClose = first.close;
  let profitableRun = 0;
  let losingRun = 0;
  let winsInWindow = 0;
  for (const day of days) {
    const i = day.index;
    const dailyReturn = i === 0 ? 0 : day.close / previousClose - 1;
    previousClose = day.close;
    if (day.close > peakClose) peakClose = day.close;
    profitableRun = dailyReturn > 0 ? profitableRun + 1 : 0;
    losingRun = dailyReturn < 0 ? losingRun + 1 : 0;
    if (i > 0) {
      returns.push(dailyReturn);
      if (dailyReturn > 0) winsInWindow++;
      // Returns of days 1..i: once the window is full, the return 30 days back leaves it.
      if (returns.length > WIN_RATE_WINDOW_DAYS && returns[returns.length - 1 - WIN_RATE_WINDOW_DAYS]! > 0) winsInWindow--;
    }
    const windowSize = Math.min(WIN_RATE_WINDOW_DAYS, i);
    const growth = day.close / first.close;
    const years = (day.dateMs - first.dateMs) / YEAR_MS;
    const metrics: TransitionMetrics = {
      drawdownPct: 1 - day.close / peakClose,
      vix: day.vix,
      consecutiveScalpLosses: losingRun,
      dailyLossPct: Math.max(0, -dailyReturn),
      marketCircuitBreaker: dailyReturn <= CIRCUIT_BREAKER_DAILY_RETURN,
      consecutiveProfitableDays: profitableRun,
      cagr: i === 0 || years <= 0 ? 0 : growth ** (1 / years) - 1,
      targetCagr,
      capitalGrowthPct: growth - 1,
      winRate30d: windowSize === 0 ? 0 : winsInWindow / windowSize,
    };
    out.push({ day, dailyReturn, peakClose, metrics });
  }
  return out;
}

/**
 * Throws at the index row whose derived metrics are not finite numbers. A close can be a valid
 * number (e.g. `1e308`) and still overflow a ratio or the annualised growth; the state machine
 * would refuse those metrics mid-run, so they are refused here, at the row that caused them.
 *
 * @param days derived as {@link deriveMetrics} returns them
 * @param spxFile the index file's name, for the message
 * @throws {ReplayInputError} `file:line` naming the metric and the close
 */
export function checkDerivedMetrics(days: readonly DayMetrics[], spxFile: string): void {
  for (const { day, metrics, dailyReturn } of days) {
    for (const [name, value] of [['dailyReturn', dailyReturn] as const, ...Object.entries(metrics)]) {
      if (typeof value !== 'number' || Number.isFinite(value)) continue;
      throw new ReplayInputError(
        spxFile,
        day.spxLine ?? null,
        `expected a close whose derived metrics are finite, got ${name} = ${value} from the close ${day.close} on ${day.date}`,
      );
    }
  }
}
