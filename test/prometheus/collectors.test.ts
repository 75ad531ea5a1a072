import { describe, it, expect, vi } from 'vitest';
import { Observable, Subject, VirtualAction, VirtualTimeScheduler, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { Registry } from 'prom-client';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import { ev } from '../support/events.js';
import { OperatingStateManager } from '../../src/state/manager.js';
import { operatingState$ } from '../../src/state/operatingState.js';
import type { SafetyState, TransitionMetrics } from '../../src/index.js';
import { collectDispatcherMetrics, collectOperatingStateMetrics } from '../../src/prometheus/index.js';
import { CALM, Clock, DAY, HOUR, m, override } from '../state/fixtures.js';
import { parseExposition, valueOf, type Exposition } from './exposition.js';

function virtual(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}
const scrape = async (registry: Registry): Promise<Exposition> => parseExposition(await registry.metrics());

/** A dispatcher left with a P1 backlog of 400 behind a CRITICAL_ONLY pause, 100 ticks evicted, and two P0 fills handled in 20 ms. */
async function busyDispatcher(): Promise<{ dispatcher: EventDispatcher; scheduler: TestScheduler }> {
  const scheduler = virtual();
  const dispatcher = new EventDispatcher(
    { queues: { p1: { capacity: 500, batchSize: 100, batchTimeoutMs: 0 } }, monitoring: { alerts: { p1Depth: { warning: 100, critical: 200 } } } },
    { scheduler },
  );
  dispatcher.registerHandler(1, () => dispatcher.setDegradationLevel('CRITICAL_ONLY'));
  dispatcher.registerHandler(0, () => timer(20, scheduler));
  await dispatcher.start();
  for (let i = 0; i < 600; i++) void dispatcher.dispatch(ev({ type: 'PRICE_TICK' }));
  void dispatcher.dispatch(ev({ type: 'FILL_CONFIRMED' }));
  void dispatcher.dispatch(ev({ type: 'FILL_CONFIRMED' }));
  scheduler.flush();
  return { dispatcher, scheduler };
}

describe('collectDispatcherMetrics', () => {
  it('exports every lane\'s figures, read from the dispatcher on scrape', async () => {
    const { dispatcher } = await busyDispatcher();
    const registry = new Registry();
    collectDispatcherMetrics(dispatcher, { registry });
    const x = await scrape(registry);
    const p1 = { lane: 'P1' };
    expect(valueOf(x, 'qts_lane_depth', p1)).toBe(400);
    expect(valueOf(x, 'qts_lane_capacity', p1)).toBe(500);
    expect(valueOf(x, 'qts_lane_utilisation_ratio', p1)).toBe(0.8);
    expect(valueOf(x, 'qts_lane_paused', p1)).toBe(1);
    expect(valueOf(x, 'qts_lane_enqueued_total', p1)).toBe(600);
    expect(valueOf(x, 'qts_lane_handled_total', p1)).toBe(100);
    expect(valueOf(x, 'qts_lane_failed_total', p1)).toBe(0);
    expect(valueOf(x, 'qts_lane_dropped_total', { lane: 'P1', reason: 'evicted' })).toBe(100);
    expect(valueOf(x, 'qts_lane_dropped_total', { lane: 'P1', reason: 'sampled' })).toBe(0);
    expect(valueOf(x, 'qts_lane_handled_total', { lane: 'P0' })).toBe(2);
    expect(valueOf(x, 'qts_lane_budget_breaches_total', { lane: 'P0' })).toBe(2);
    expect(valueOf(x, 'qts_dispatcher_degradation_level')).toBe(3);
    expect(valueOf(x, 'qts_dispatcher_degradation', { level: 'CRITICAL_ONLY' })).toBe(1);
    expect(valueOf(x, 'qts_dispatcher_degradation', { level: 'NORMAL' })).toBe(0);
    // Alerts: P1 depth 400 ≥ 200 critical, utilisation 0.8 ≥ 0.7 warning; P0 p99 20 ms > 10 ms budget.
    expect(valueOf(x, 'qts_lane_alert_level', { lane: 'P1', kind: 'depth' })).toBe(2);
    expect(valueOf(x, 'qts_lane_alert_level', { lane: 'P1', kind: 'backpressure' })).toBe(1);
    expect(valueOf(x, 'qts_lane_alert_level', { lane: 'P0', kind: 'latency' })).toBe(2);
    expect(valueOf(x, 'qts_lane_alert_level', { lane: 'P2', kind: 'latency' })).toBe(0);
  });

  it('reads the dispatcher only when scraped, once per scrape, and subscribes to none of its streams', async () => {
    const scheduler = virtual();
    const dispatcher = new EventDispatcher({ queues: { p1: { batchTimeoutMs: 0 } } }, { scheduler });
    dispatcher.registerHandler(1, () => undefined);
    const samples = vi.spyOn(dispatcher, 'sampleMetrics');
    const subscribe = vi.spyOn(Observable.prototype, 'subscribe');
    const registry = new Registry();
    collectDispatcherMetrics(dispatcher, { registry });
    expect(subscribe).not.toHaveBeenCalled();
    subscribe.mockRestore();
    await dispatcher.start();
    for (let i = 0; i < 1000; i++) void dispatcher.dispatch(ev({ type: 'PRICE_TICK' }));
    scheduler.flush();
    expect(samples).not.toHaveBeenCalled();
    await registry.metrics();
    expect(samples).toHaveBeenCalledTimes(1);
    await registry.metrics();
    expect(samples).toHaveBeenCalledTimes(2);
  });

  it('has a handler latency histogram in seconds whose buckets are the lane budgets, cumulative across scrapes', async () => {
    const { dispatcher, scheduler } = await busyDispatcher();
    const registry = new Registry();
    collectDispatcherMetrics(dispatcher, { registry });
    const first = await scrape(registry);
    const p0 = (le: string): number => valueOf(first, 'qts_lane_handler_latency_seconds_bucket', { lane: 'P0', le });
    // 20 ms for the first fill, 40 ms for the second (it waits for the first: P0 keeps its order).
    expect([p0('0.01'), p0('0.05'), p0('0.5'), p0('+Inf')]).toEqual([0, 2, 2, 2]);
    expect(valueOf(first, 'qts_lane_handler_latency_seconds_sum', { lane: 'P0' })).toBeCloseTo(0.06, 9);
    expect(valueOf(first, 'qts_lane_latency_budget_seconds', { lane: 'P0' })).toBe(0.01);
    expect(valueOf(first, 'qts_lane_handler_latency_window_seconds', { lane: 'P0', quantile: '0.99' })).toBe(0.04);
    expect(() => valueOf(first, 'qts_lane_latency_budget_seconds', { lane: 'P3' })).toThrow(/no sample/);

    void dispatcher.dispatch(ev({ type: 'FILL_CONFIRMED' }));
    scheduler.flush();
    const second = await scrape(registry);
    expect(valueOf(second, 'qts_lane_handler_latency_seconds_count', { lane: 'P0' })).toBe(3);
    const third = await scrape(registry);
    expect(valueOf(third, 'qts_lane_handler_latency_seconds_count', { lane: 'P0' })).toBe(3);
  });

  it('follows the Prometheus naming conventions: one prefix, _total counters, base units', async () => {
    const { dispatcher } = await busyDispatcher();
    const registry = new Registry();
    const collector = collectDispatcherMetrics(dispatcher, { registry });
    const x = await scrape(registry);
    expect([...x.types.keys()].sort()).toEqual([...collector.metricNames].sort());
    for (const [name, type] of x.types) {
      expect(name).toMatch(/^qts_[a-z0-9_]+$/);
      expect(name.endsWith('_total')).toBe(type === 'counter');
      expect(name).not.toMatch(/_ms$|millis|_percent/);
      if (name.includes('latency')) expect(name).toMatch(/_seconds$/);
      expect(x.help.get(name)).toBeTruthy();
    }
  });

  it('adds the given labels to every series, and remove() unregisters everything', async () => {
    const { dispatcher } = await busyDispatcher();
    const registry = new Registry();
    const collector = collectDispatcherMetrics(dispatcher, { registry, labels: { dispatcher: 'orders' }, prefix: 'desk_' });
    const x = await scrape(registry);
    expect(valueOf(x, 'desk_lane_depth', { lane: 'P1', dispatcher: 'orders' })).toBe(400);
    expect(valueOf(x, 'desk_dispatcher_degradation_level', { dispatcher: 'orders' })).toBe(3);
    collector.remove();
    expect(await registry.metrics()).toBe('\n');
  });

  it('rejects an extra label that clashes with its own, naming it', () => {
    expect(() => collectDispatcherMetrics(new EventDispatcher(), { registry: new Registry(), labels: { lane: 'x' } })).toThrow(/labels\.lane/);
  });
});

describe('collectOperatingStateMetrics', () => {
  const cycle = (clock: Clock, manager: OperatingStateManager, day: number, metrics: TransitionMetrics, safety?: SafetyState): void => {
    clock.at(day * DAY + 21 * HOUR);
    manager.evaluateTransition(metrics, safety);
  };

  it('exports the state, transitions by cause, evaluations by gate, time in state, override and halt of a manager', async () => {
    const clock = new Clock();
    const manager = new OperatingStateManager({}, { scheduler: clock.scheduler });
    const registry = new Registry();
    collectOperatingStateMetrics(manager, { registry });
    for (let day = 1; day <= 6; day++) cycle(clock, manager, day, day >= 5 ? m({ vix: 35 }) : CALM);
    expect(manager.currentState).toBe('DEFENSIVE');
    clock.at(7 * DAY + 21 * HOUR);
    let x = await scrape(registry);
    expect(valueOf(x, 'qts_operating_state', { state: 'DEFENSIVE' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state', { state: 'BALANCED' })).toBe(0);
    expect(valueOf(x, 'qts_operating_state_transitions_total', { cause: 'RULE' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state_transitions_total', { cause: 'SAFETY' })).toBe(0);
    expect(valueOf(x, 'qts_operating_state_evaluations_total', { gate: 'none' })).toBe(5);
    expect(valueOf(x, 'qts_operating_state_evaluations_total', { gate: 'CONFIRMING' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state_time_in_state_seconds')).toBe(86_400);
    expect(valueOf(x, 'qts_operating_state_override_active')).toBe(0);
    expect(valueOf(x, 'qts_operating_state_trading_halted')).toBe(0);

    manager.updateSafety('LOCKDOWN');
    manager.applyOverride(override('BALANCED', clock.now(), 2));
    x = await scrape(registry);
    expect(valueOf(x, 'qts_operating_state_trading_halted')).toBe(1);
    expect(valueOf(x, 'qts_operating_state_override_active')).toBe(1);
    expect(valueOf(x, 'qts_operating_state', { state: 'BALANCED' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state_transitions_total', { cause: 'OVERRIDE' })).toBe(1);
  });

  it('follows the reactive form through its streams, with the time in state on the given clock', async () => {
    // The clock runs to 2 h and stops there.
    const scheduler = new VirtualTimeScheduler(VirtualAction, 2 * HOUR);
    const metrics$ = new Subject<TransitionMetrics>();
    const safety$ = new Subject<SafetyState>();
    const op = operatingState$({ metrics$, safety$ }, { cycleMinutes: 60 }, scheduler);
    const registry = new Registry();
    const collector = collectOperatingStateMetrics(op, { registry, scheduler });
    safety$.next('FAIL');
    scheduler.schedule(() => undefined, 2 * HOUR);
    scheduler.flush();
    const x = await scrape(registry);
    expect(valueOf(x, 'qts_operating_state', { state: 'DEFENSIVE' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state_transitions_total', { cause: 'SAFETY' })).toBe(1);
    expect(valueOf(x, 'qts_operating_state_time_in_state_seconds')).toBe(7200);
    collector.remove();
    expect(await registry.metrics()).toBe('\n');
  });
});
