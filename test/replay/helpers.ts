import { readFileSync } from 'node:fs';
import type { Event, EventPriority } from '../../src/event/contracts.js';
import type { OperatingState } from '../../src/state/contracts.js';
import { parseSpxCsv, parseVixCsv, type DailySeries } from '../../src/replay/csv.js';
import type { LaneReport, PipelineContext, ReplayPipeline, ReplayTransition } from '../../src/replay/run.js';

/** Reads a fixture of test/replay/fixtures. */
export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** The hand-made 5-day pair of files. */
export function smallSeries(): { spx: DailySeries; vix: DailySeries } {
  return {
    spx: parseSpxCsv(fixture('spx-small.csv'), 'spx-small.csv'),
    vix: parseVixCsv(fixture('vix-small.csv'), 'vix-small.csv'),
  };
}

/** The data shipped in the package. */
export function shippedSeries(): { spx: DailySeries; vix: DailySeries } {
  const read = (name: string): string => readFileSync(new URL(`../../data/${name}`, import.meta.url), 'utf8');
  return { spx: parseSpxCsv(read('sp500-daily.csv'), 'data/sp500-daily.csv'), vix: parseVixCsv(read('vix-daily.csv'), 'data/vix-daily.csv') };
}

/** What a recording pipeline saw: each event with the virtual time it was dispatched at. */
export interface Recorded {
  readonly at: number;
  readonly event: Event;
}

/**
 * A pipeline that records what it is given and turns DEFENSIVE whenever a RISK_EVALUATE carries
 * a VIX above 30 (and BALANCED again below 20), so runner and outputs can be tested alone.
 */
export function recordingPipeline(): { factory: (c: PipelineContext) => ReplayPipeline; seen: Recorded[]; contexts: PipelineContext[]; startedAt: number[] } {
  const seen: Recorded[] = [];
  const contexts: PipelineContext[] = [];
  const startedAt: number[] = [];
  const factory = (context: PipelineContext): ReplayPipeline => {
    contexts.push(context);
    startedAt.push(context.scheduler.now());
    let state: OperatingState = 'BALANCED';
    const transitions: ReplayTransition[] = [];
    const counts = [0, 0, 0, 0];
    return {
      dispatch(events) {
        for (const event of events) {
          seen.push({ at: context.scheduler.now(), event });
          counts[event.priority]!++;
          if (event.eventType === 'RISK_EVALUATE') {
            const vix = event.payload['vix'] as number;
            const to: OperatingState | null = vix > 30 && state !== 'DEFENSIVE' ? 'DEFENSIVE' : vix < 20 && state === 'DEFENSIVE' ? 'BALANCED' : null;
            if (to !== null) {
              transitions.push({ at: context.scheduler.now(), from: state, to, cause: 'RULE', reason: `vix ${vix} ${to === 'DEFENSIVE' ? '> 30' : '< 20'}` });
              state = to;
            }
          }
        }
      },
      currentState: () => state,
      transitions: () => transitions,
      lanes: (): LaneReport[] =>
        counts.map((n, p) => ({ priority: p as EventPriority, dispatched: n, handled: n, failed: 0, dropped: 0, dropsByReason: {}, latencyP50Ms: 0, latencyP99Ms: 0, latencyMaxMs: 0 })),
      settle: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  };
  return { factory, seen, contexts, startedAt };
}
