// The operating state shared through NATS KV, against the live server: many cycles run by two
// instances give exactly the reducer's transitions, a duplicated cycle is a no-op, a conflict storm
// ends in a typed error with nothing half-written, and every instance follows the watch.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import {
  createOperatingStateReducer,
  initialOperatingState,
  resolveStateConfig,
  type StateTransition,
  type TransitionMetrics,
} from '../../src/index.js';
import { NatsOperatingState, SharedStateFormatError, StateConflictError } from '../../src/nats/index.js';
import { BULL, CALM, DAY, STRESS } from '../state/fixtures.js';
import { liveNatsUrl, openNatsTest, type NatsTestContext } from './context.js';
import { eventually } from './server.js';

const START = Date.UTC(2020, 0, 1);

/** A deterministic metric path through all three states and back, one cycle per day. */
function cycleMetrics(count: number): TransitionMetrics[] {
  const phases = [BULL, BULL, CALM, STRESS, STRESS, CALM, CALM, CALM];
  return Array.from({ length: count }, (_, i) => phases[Math.floor(i / 6) % phases.length]!);
}

/** The transitions the pure reducer makes on one process for the same cycles. */
function reducerTransitions(metrics: readonly TransitionMetrics[]): StateTransition[] {
  const reduce = createOperatingStateReducer(resolveStateConfig({}));
  let model = initialOperatingState('BALANCED', START);
  const out: StateTransition[] = [];
  metrics.forEach((m, i) => {
    model = reduce(model, { kind: 'EVALUATE', metrics: m }, START + (i + 1) * DAY);
    out.push(...model.transitions);
  });
  return out;
}

describe.runIf(liveNatsUrl !== null)('the operating state in NATS KV (live server)', () => {
  let t: NatsTestContext;
  beforeEach(async () => {
    t = await openNatsTest();
  });
  afterEach(async () => {
    await t.dispose();
  });

  async function instances(n: number, bucket = t.bucket(), options: Partial<Parameters<typeof NatsOperatingState.open>[1]> = {}): Promise<NatsOperatingState[]> {
    const opened: NatsOperatingState[] = [];
    for (let i = 0; i < n; i++) {
      const shared = await NatsOperatingState.open(t.nc, { bucket, key: 'desk1', initial: { state: 'BALANCED', since: START }, ...options });
      t.defer(() => shared.close());
      opened.push(shared);
    }
    return opened;
  }

  it('two instances over many cycles, each cycle run by both, give exactly the reducer’s transitions, once each', async () => {
    const [a, b] = await instances(2);
    const seenA: StateTransition[] = [];
    const seenB: StateTransition[] = [];
    a!.transitions$.subscribe((x) => seenA.push(x));
    b!.transitions$.subscribe((x) => seenB.push(x));
    const metrics = cycleMetrics(120);
    let applied = 0;
    for (let i = 0; i < metrics.length; i++) {
      const now = START + (i + 1) * DAY;
      // Both instances receive the cycle (as a redelivered message would reach a second one).
      const results = await Promise.all([a!.evaluate(`day-${i}`, metrics[i]!, now), b!.evaluate(`day-${i}`, metrics[i]!, now)]);
      applied += results.filter((r) => r.applied).length;
    }
    const expected = reducerTransitions(metrics);
    expect(expected.length).toBeGreaterThan(4);
    expect(applied).toBe(metrics.length);
    await a!.whenSeen(Math.max(a!.revision, b!.revision));
    await b!.whenSeen(Math.max(a!.revision, b!.revision));
    expect(seenA).toEqual(expected);
    expect(seenB).toEqual(expected);
    expect(a!.currentState).toBe(b!.currentState);
  });

  it('a cycle id already applied is a no-op, whichever instance sees it again', async () => {
    const [a, b] = await instances(2);
    const first = await a!.evaluate('cycle-1', BULL, START + 11 * DAY);
    const again = await b!.evaluate('cycle-1', BULL, START + 11 * DAY);
    expect(first.applied).toBe(true);
    expect(again).toMatchObject({ applied: false, transitions: [], revision: first.revision });
  });

  it('a conflict storm gives up after maxAttempts with a StateConflictError on errors$, and writes nothing for that cycle', async () => {
    const bucket = t.bucket();
    const [victim] = await instances(1, bucket, { maxAttempts: 2 });
    const writers = await instances(4, bucket);
    const errors: Error[] = [];
    victim!.errors$.subscribe((e) => errors.push(e));
    const failures: unknown[] = [];
    // Many instances hammer the key while the victim, allowed two attempts, keeps losing.
    const storm = writers.flatMap((w, k) => Array.from({ length: 25 }, (_, i) => w.evaluate(`w${k}-${i}`, CALM, START + DAY)));
    const victimCycles = Array.from({ length: 20 }, (_, i) => victim!.evaluate(`victim-${i}`, CALM, START + DAY).catch((e: unknown) => failures.push(e)));
    await Promise.allSettled([...storm, ...victimCycles]);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f instanceof StateConflictError)).toBe(true);
    expect(errors).toEqual(failures);
    expect((failures[0] as Error).message).toMatch(/^KVT_\w+\/desk1 cycle victim-\d+: expected the compare-and-set write to succeed within 2 attempts/);
    const entry = await (await new Kvm(t.nc).open(bucket)).get('desk1');
    const recent = (entry!.json() as { recentCycles: string[] }).recentCycles;
    for (const f of failures as StateConflictError[]) expect(recent).not.toContain(f.cycleId);
    // Every write that did succeed is there once: nothing half-written, nothing lost.
    expect(new Set(recent).size).toBe(recent.length);
  });

  it('invalid metrics are a typed error on errors$; nothing is written', async () => {
    const [a] = await instances(1);
    const errors: Error[] = [];
    a!.errors$.subscribe((e) => errors.push(e));
    const before = a!.revision;
    await expect(a!.evaluate('bad', { ...CALM, vix: -3 }, START + DAY)).rejects.toThrow(/vix/);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.name).toBe('MetricsError');
    const again = await a!.evaluate('good', CALM, START + DAY);
    expect(again.revision).toBe(before + 1);
  });

  it('a key holding something else is a SharedStateFormatError naming bucket, key and revision', async () => {
    const bucket = t.bucket();
    const kv = await new Kvm(t.nc).create(bucket);
    const revision = await kv.put('desk1', '{"hello":1}');
    await expect(NatsOperatingState.open(t.nc, { bucket, key: 'desk1' })).rejects.toThrow(SharedStateFormatError);
    await expect(NatsOperatingState.open(t.nc, { bucket, key: 'desk1' })).rejects.toThrow(`${bucket}/desk1 revision ${revision}: format: expected "qts-reactive/shared-operating-state"`);
  });

  it('state$ of every instance follows the KV watch', async () => {
    const [a, b] = await instances(2);
    const statesB: string[] = [];
    b!.state$.subscribe((s) => statesB.push(s));
    await a!.evaluate('c1', BULL, START + 11 * DAY);
    await a!.evaluate('c2', BULL, START + 12 * DAY);
    await eventually('B to follow A', () => statesB.at(-1) === 'AGGRESSIVE');
    expect(statesB).toEqual(['BALANCED', 'AGGRESSIVE']);
  });
});
