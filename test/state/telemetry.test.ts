import { describe, expect, it } from 'vitest';
import { initialOperatingState, resolveStateConfig, telemetryOf, type OperatingStateInput, type StateTelemetry } from '../../src/index.js';
import { CALM, DAY, HOUR, STRESS, override, reduceEach as run } from './fixtures.js';

const T0 = 1_000 * DAY;
const config = resolveStateConfig();
const evaluate = (metrics = CALM): OperatingStateInput => ({ kind: 'EVALUATE', metrics });

interface TelemetryCase {
  readonly name: string;
  /** The inputs from a fresh BALANCED model, each at its time. */
  readonly inputs: readonly (readonly [number, OperatingStateInput])[];
  /** The kinds of the records of each reduction, in order. */
  readonly kinds: readonly (readonly StateTelemetry['kind'][])[];
}

const CASES: readonly TelemetryCase[] = [
  {
    name: 'an ordinary evaluation records only that it evaluated',
    inputs: [
      [T0, evaluate()],
      [T0 + HOUR, evaluate()],
    ],
    kinds: [['evaluated'], ['evaluated']],
  },
  {
    name: 'halted when lockdown starts, not again while it lasts; released when it ends',
    inputs: [
      [T0, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
      [T0 + 1, { kind: 'SAFETY', safety: 'LOCKDOWN' }],
      [T0 + 2, evaluate()],
      [T0 + 3, { kind: 'SAFETY', safety: 'NORMAL' }],
    ],
    kinds: [['halted'], [], ['evaluated'], ['released']],
  },
  {
    name: 'overridden when an override is applied, not on the cycles after it',
    inputs: [
      [T0, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0, 2) }],
      [T0 + HOUR, evaluate()],
      [T0 + 2 * HOUR, { kind: 'CHECK_EXPIRY' }],
    ],
    kinds: [['overridden', 'transitioned'], ['evaluated'], []],
  },
  {
    name: 'overrideCancelled when safety FAIL cancels an override',
    inputs: [
      [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
      [T0 + HOUR, { kind: 'SAFETY', safety: 'FAIL' }],
    ],
    kinds: [
      ['overridden', 'transitioned'],
      ['overrideCancelled', 'transitioned'],
    ],
  },
  {
    name: 'no overrideCancelled when an override expires',
    inputs: [
      [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
      [T0 + 2 * DAY, { kind: 'CHECK_EXPIRY' }],
    ],
    kinds: [['overridden', 'transitioned'], ['transitioned']],
  },
  {
    name: 'an override replaced by another records overridden again',
    inputs: [
      [T0, { kind: 'OVERRIDE', override: override('AGGRESSIVE', T0, 2) }],
      [T0 + HOUR, { kind: 'OVERRIDE', override: override('DEFENSIVE', T0 + HOUR, 2) }],
    ],
    kinds: [
      ['overridden', 'transitioned'],
      ['overridden', 'transitioned'],
    ],
  },
];

describe('telemetryOf: each record once, when it happens', () => {
  it.each(CASES)('$name', ({ inputs, kinds }) => {
    const start = initialOperatingState('BALANCED', T0);
    const models = run(config, start, inputs);
    const seen = models.map((next, i) => telemetryOf(i === 0 ? start : models[i - 1]!, next, inputs[i]![0]).map((t) => t.kind));
    expect(seen).toEqual(kinds);
  });

  it('a transition record names the state left, the state entered, the cause and the time', () => {
    const start = initialOperatingState('BALANCED', T0);
    const [next] = run(config, start, [[T0 + 5, { kind: 'SAFETY', safety: 'FAIL' }]]);
    expect(telemetryOf(start, next!, T0 + 5)).toEqual([{ kind: 'transitioned', state: 'DEFENSIVE', from: 'BALANCED', cause: 'SAFETY', at: T0 + 5 }]);
  });

  it('an evaluation record carries the state evaluated in and its gate', () => {
    const start = initialOperatingState('BALANCED', T0);
    const [next] = run(config, start, [[T0 + HOUR, evaluate(STRESS)]]);
    expect(telemetryOf(start, next!, T0 + HOUR)).toEqual([{ kind: 'evaluated', state: 'BALANCED', at: T0 + HOUR, gate: 'HYSTERESIS' }]);
  });

  it('records nothing when the model did not change', () => {
    const model = initialOperatingState('BALANCED', T0);
    const [evaluated] = run(config, model, [[T0, evaluate()]]);
    expect(telemetryOf(evaluated!, evaluated!, T0)).toEqual([]);
  });
});
