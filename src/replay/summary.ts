/**
 * The replay's terminal output: the summary (timeline, days per state, lanes, skipped rows) and a
 * progress bar for long runs.
 */
import type { OperatingState } from '../state/contracts.js';
import { toTimeline, type ReplayResult } from './run.js';

function pad(text: string | number, width: number, right = false): string {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

function fmtMs(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/**
 * The human summary of a replay, as lines of plain text: the period and files, every transition
 * with its cause and reason, trading days per state, per-lane counts (with latencies when
 * intraday ticks were replayed) and the rows skipped.
 */
export function formatSummary(result: ReplayResult): string {
  const first = result.days[0]!.day;
  const last = result.days[result.days.length - 1]!.day;
  const total = result.days.length;
  const out: string[] = [];
  out.push(`qts-reactive replay: ${first.date} … ${last.date}, ${total} trading days`);
  out.push(`  index ${result.spxFile}`);
  out.push(`  VIX   ${result.vixFile}`);
  out.push(`  initial state ${result.initialState}, target CAGR ${(result.targetCagr * 100).toFixed(1)}%, one cycle per trading day at 21:00 UTC`);
  out.push('');
  const timeline = toTimeline(result.transitions);
  out.push(`Transitions (${timeline.length}):`);
  if (timeline.length === 0) out.push('  none');
  for (const t of timeline) {
    out.push(`  ${t.at}  ${pad(t.from, 10)} → ${pad(t.to, 10)}  ${pad(t.cause, 16)}  ${t.reason}`);
  }
  out.push('');
  out.push('Trading days per state:');
  for (const state of Object.keys(result.tradingDaysInState) as OperatingState[]) {
    const n = result.tradingDaysInState[state];
    out.push(`  ${pad(state, 10)} ${pad(n, 6, true)}  ${pad(((n / total) * 100).toFixed(1), 5, true)}%`);
  }
  out.push(`  final state ${result.stateByDay[result.stateByDay.length - 1] ?? result.initialState}`);
  out.push('');
  const withLatency = result.intradayTicksPerDay > 0;
  out.push(
    withLatency
      ? `Lanes (${result.intradayTicks} synthetic intraday ticks, ~${result.intradayTicksPerDay}/day; latency in virtual ms, enqueue → handled):`
      : 'Lanes:',
  );
  const head = `  lane ${pad('dispatched', 11, true)} ${pad('handled', 10, true)} ${pad('dropped', 10, true)}`;
  out.push(withLatency ? `${head} ${pad('p50', 8, true)} ${pad('p99', 8, true)} ${pad('max', 8, true)}  drops by reason` : head);
  for (const lane of result.lanes) {
    const row = `  P${lane.priority}   ${pad(lane.dispatched, 11, true)} ${pad(lane.handled, 10, true)} ${pad(lane.dropped, 10, true)}`;
    const reasons = Object.entries(lane.dropsByReason)
      .filter(([, n]) => n > 0)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    out.push(
      withLatency
        ? `${row} ${pad(fmtMs(lane.latencyP50Ms), 8, true)} ${pad(fmtMs(lane.latencyP99Ms), 8, true)} ${pad(fmtMs(lane.latencyMaxMs), 8, true)}  ${reasons}`
        : row,
    );
  }
  out.push('');
  const s = result.skipped;
  out.push('Skipped rows:');
  out.push(`  index: ${s.spxEmpty} with an empty close (market holidays), ${s.spxUnmatched} with no VIX close that date, ${s.spxOutsideRange} outside the VIX file's dates`);
  out.push(`  VIX:   ${s.vixEmpty} with an empty close, ${s.vixUnmatched} with no index close that date, ${s.vixOutsideRange} outside the index file's dates`);
  return out.map((line) => line.trimEnd()).join('\n') + '\n';
}

/** A writable stream as far as the progress bar needs one. */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A progress reporter for `(done, total)` updates that draws a bar on `stream` only when it is a
 * TTY and the run has already taken `afterMs` (default 1000) by `now()`, so short runs and pipes
 * stay clean. `finish()` clears the bar.
 */
export function createProgressBar(
  stream: ProgressStream,
  now: () => number,
  afterMs = 1000,
): { update(done: number, total: number): void; finish(): void } {
  const started = now();
  let drawn = false;
  let lastPercent = -1;
  return {
    update(done, total) {
      if (stream.isTTY !== true || now() - started < afterMs) return;
      const percent = Math.floor((done / total) * 100);
      if (percent === lastPercent) return;
      lastPercent = percent;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 30));
      const filled = Math.round((done / total) * width);
      stream.write(`\r  replaying [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pad(percent, 3, true)}% ${done}/${total} days`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
