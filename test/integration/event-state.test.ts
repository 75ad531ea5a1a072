import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectEventsToState,
  createEvent,
  EventDispatcher,
  MetricsError,
  OperatingStateManager,
  type Event,
  type EventPayload,
  type HandlerRegistry,
} from '../../src/index.js';
import { CALM, Clock, DAY, HOUR, m, STRESS } from '../state/fixtures.js';

const asPayload = (metrics: object): EventPayload => ({ ...metrics }) as EventPayload;

describe('events → operating state, through the real EventDispatcher', () => {
  let dispatcher: EventDispatcher;
  afterEach(async () => {
    await dispatcher.stop();
  });

  function setup() {
    dispatcher = new EventDispatcher();
    const clock = new Clock();
    const manager = new OperatingStateManager({}, { scheduler: clock.scheduler });
    const bridge = connectEventsToState(dispatcher, manager);
    return { clock, manager, bridge };
  }

  /** Dispatches `events` and waits until the manager has explained the next cycle. */
  async function cycle(manager: OperatingStateManager, ...events: Event[]) {
    const evaluated = firstValueFrom(manager.evaluations$);
    for (const e of events) await dispatcher.dispatch(e);
    return evaluated;
  }

  it('RISK_EVALUATE carries the metrics, ETEDA_CYCLE_START runs a cycle', async () => {
    const { clock, manager, bridge } = setup();
    await dispatcher.start();
    clock.at(5 * DAY);
    const first = await cycle(manager, createEvent('RISK_EVALUATE', { payload: asPayload(STRESS) }), createEvent('ETEDA_CYCLE_START'));
    expect(first).toMatchObject({ rule: 'BALANCED_TO_DEFENSIVE', proposed: 'DEFENSIVE', gate: 'CONFIRMING' });
    clock.advance(HOUR);
    const transitioned = firstValueFrom(manager.transitions$);
    await cycle(manager, createEvent('ETEDA_CYCLE_START'));
    expect(await transitioned).toMatchObject({ to: 'DEFENSIVE', cause: 'RULE', reason: 'BALANCED_TO_DEFENSIVE: vix 31.2 > 30' });
    expect(bridge.cycles).toEqual({ evaluated: 2, skippedWithoutMetrics: 0 });
  });

  it('VIX_UPDATE refreshes the latest metrics’ VIX', async () => {
    const { manager, bridge } = setup();
    await dispatcher.start();
    await cycle(manager, createEvent('RISK_EVALUATE', { payload: asPayload(CALM) }), createEvent('ETEDA_CYCLE_START'));
    const handled = firstValueFrom(dispatcher.telemetry$.pipe(filter((t) => t.kind === 'handled')));
    await dispatcher.dispatch(createEvent('VIX_UPDATE', { payload: { vix: 33.5 } }));
    await handled;
    expect(bridge.latestMetrics?.vix).toBe(33.5);
    const e = await cycle(manager, createEvent('ETEDA_CYCLE_START'));
    expect(e.conditions.find((c) => c.metric === 'vix')).toEqual({ metric: 'vix', value: 33.5, op: '>', threshold: 30, met: true });
  });

  it('a cycle before any metrics is skipped and counted', async () => {
    const { bridge } = setup();
    await dispatcher.start();
    const handled = firstValueFrom(dispatcher.telemetry$.pipe(filter((t) => t.kind === 'handled')));
    await dispatcher.dispatch(createEvent('ETEDA_CYCLE_START'));
    await handled;
    expect(bridge.cycles).toEqual({ evaluated: 0, skippedWithoutMetrics: 1 });
  });

  it('invalid metrics become a dispatcher failure naming the field; the state is unchanged', async () => {
    const { manager } = setup();
    await dispatcher.start();
    const before = manager.getPersistedSnapshot();
    const failure = firstValueFrom(dispatcher.failures$);
    await dispatcher.dispatch(createEvent('RISK_EVALUATE', { payload: asPayload(m({ vix: -4 })) }));
    const record = await failure;
    expect(record.error).toBeInstanceOf(MetricsError);
    expect((record.error as MetricsError).message).toBe('metrics.vix: expected a number ≥ 0, got -4');
    expect(manager.getPersistedSnapshot()).toEqual(before);
  });

  it('disconnect unregisters the handlers', async () => {
    const { manager, bridge } = setup();
    bridge.disconnect();
    await dispatcher.start();
    const evaluations: unknown[] = [];
    manager.evaluations$.subscribe((e) => evaluations.push(e));
    await dispatcher.dispatch(createEvent('RISK_EVALUATE', { payload: asPayload(CALM) }));
    await dispatcher.dispatch(createEvent('ETEDA_CYCLE_START'));
    await dispatcher.stop();
    expect(evaluations).toEqual([]);
  });
});

describe('the bridge against the structural HandlerRegistry', () => {
  it('handles a mixed batch in order and reports the first bad event after the rest', () => {
    const handlers = new Map<number, (batch: readonly Event[]) => unknown>();
    const registry: HandlerRegistry = {
      registerHandler: (p, h) => {
        handlers.set(p, h);
        return () => handlers.delete(p);
      },
    };
    const clock = new Clock();
    const manager = new OperatingStateManager({}, { scheduler: clock.scheduler });
    const errors: string[] = [];
    connectEventsToState(registry, manager, { onError: (e) => errors.push(e.message) });
    const evaluated: string[] = [];
    manager.evaluations$.subscribe((e) => evaluated.push(e.rule));
    handlers.get(2)!([
      createEvent('RISK_EVALUATE', { payload: asPayload(m({ drawdownPct: 3 })) }),
      createEvent('RISK_EVALUATE', { payload: asPayload(CALM) }),
      createEvent('ETEDA_CYCLE_START'),
    ]);
    handlers.get(1)!([createEvent('VIX_UPDATE', { payload: { vix: 'high' } })]);
    expect(errors).toEqual([
      'metrics.drawdownPct: expected a fraction in [0, 1], got 3',
      'metrics.vix: expected a number ≥ 0 in the VIX_UPDATE payload, got "high"',
    ]);
    // The bad event did not stop the batch: the good metrics were evaluated by the cycle.
    expect(evaluated).toEqual(['BALANCED_TO_AGGRESSIVE']);
    expect(manager.getSnapshot().currentState).toBe('BALANCED');
  });
});
