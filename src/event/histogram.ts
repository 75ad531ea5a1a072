/**
 * A fixed-size sliding window of latency samples with p50 / p99 / max, for lane monitoring.
 * Recording is a write into a preallocated ring (no allocation, O(1)); the percentiles are
 * computed only when a monitor samples the window (a sort of at most `windowSize` numbers).
 */

/** Latency figures over the samples currently in the window, in ms (NaN when the window is empty). */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Samples in the window (at most its size). */
  readonly count: number;
}

/** Nearest-rank percentile of `sorted[0..count)`, `fraction` in (0, 1]. */
function nearestRank(sorted: Float64Array, count: number, fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * count));
  return sorted[rank - 1] ?? Number.NaN;
}

/** What a reader of a lane's latency window (an exporter, on scrape) may use. */
export interface LatencyWindow {
  /** How many samples the window keeps. */
  readonly windowSize: number;
  /** Samples ever recorded. */
  readonly total: number;
  /** p50, p99 and max over the window. */
  summary(): LatencySummary;
  /**
   * Visits, oldest first, the samples recorded after the first `since` (a `total` read earlier)
   * that the window still holds, and returns how many of those were already overwritten.
   */
  forEachSince(since: number, visit: (latencyMs: number) => void): number;
}

/**
 * Keeps the last `windowSize` latency samples; older ones are overwritten, never accumulated.
 *
 * @example
 * ```ts
 * const window = new LatencyHistogram(1024);
 * window.record(0.4);
 * window.record(3);
 * window.summary(); // { p50: 0.4, p99: 3, max: 3, count: 2 }
 * ```
 */
export class LatencyHistogram implements LatencyWindow {
  private readonly samples: Float64Array;
  private readonly scratch: Float64Array;
  private nextSlot = 0;
  private filled = 0;
  /** Samples ever recorded, including those the window has since forgotten. */
  total = 0;

  /** @param windowSize how many of the latest samples are kept; a positive integer */
  constructor(readonly windowSize: number) {
    if (!Number.isInteger(windowSize) || windowSize <= 0) {
      throw new RangeError(`windowSize: expected a positive integer, got ${String(windowSize)}`);
    }
    this.samples = new Float64Array(windowSize);
    this.scratch = new Float64Array(windowSize);
  }

  /** Records one latency in ms, overwriting the oldest sample once the window is full. */
  record(latencyMs: number): void {
    this.samples[this.nextSlot] = latencyMs;
    this.nextSlot = this.nextSlot + 1 === this.windowSize ? 0 : this.nextSlot + 1;
    if (this.filled < this.windowSize) this.filled++;
    this.total++;
  }

  /**
   * Records `doneAt − startedAt[i]` for every `i < count`: a whole batch in one call, with the
   * window's cursor kept in locals instead of fields (the per-event path of the dispatcher).
   */
  recordSince(doneAt: number, startedAt: Float64Array, count: number): void {
    const samples = this.samples;
    const size = this.windowSize;
    let slot = this.nextSlot;
    for (let i = 0; i < count; i++) {
      samples[slot] = doneAt - startedAt[i]!;
      slot = slot + 1 === size ? 0 : slot + 1;
    }
    this.nextSlot = slot;
    this.filled = Math.min(size, this.filled + count);
    this.total += count;
  }

  /** Samples currently in the window. */
  get count(): number {
    return this.filled;
  }

  /** p50, p99 and max over the window. */
  summary(): LatencySummary {
    const count = this.filled;
    if (count === 0) return Object.freeze({ p50: Number.NaN, p99: Number.NaN, max: Number.NaN, count: 0 });
    const sorted = this.scratch.subarray(0, count);
    sorted.set(this.samples.subarray(0, count));
    sorted.sort();
    return Object.freeze({
      p50: nearestRank(sorted, count, 0.5),
      p99: nearestRank(sorted, count, 0.99),
      max: sorted[count - 1] ?? Number.NaN,
      count,
    });
  }

  /** See {@link LatencyWindow.forEachSince}. */
  forEachSince(since: number, visit: (latencyMs: number) => void): number {
    const recorded = Math.max(0, this.total - since);
    const held = Math.min(recorded, this.filled);
    const size = this.windowSize;
    let slot = (this.nextSlot - held + size) % size;
    for (let i = 0; i < held; i++) {
      visit(this.samples[slot]!);
      slot = slot + 1 === size ? 0 : slot + 1;
    }
    return recorded - held;
  }

  /** Forgets every sample. */
  clear(): void {
    this.nextSlot = 0;
    this.filled = 0;
  }
}
