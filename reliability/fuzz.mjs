// Fuzzing with fast-check, seeded. Every target must answer a bad input with its typed error
// (or accept it as valid) — never another exception, never a hang:
// - events: arbitrary values and mutated events into validateEvent / createEvent → EventValidationError
// - both YAML configs: the shipped files mutated (values, lines, indentation, alias tricks) → ConfigError
// - the operating state: sequences of metrics, safety states, overrides and clock moves against a
//   simple model of what must always hold (SPEC 2.4) → MetricsError / OverrideError / SafetyStateError,
//   and a refused input changes nothing
// - the CLI: corrupted CSV files for `replay` → exit 0, or exit 1 with a `file:line` message
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

const root = new URL('../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');

function outcomeCounter() {
  const counts = { valid: 0, typed: 0, other: 0 };
  const others = [];
  return {
    counts,
    others,
    record(run, isTyped) {
      try {
        run();
        counts.valid++;
      } catch (error) {
        if (isTyped(error)) counts.typed++;
        else {
          counts.other++;
          if (others.length < 3) others.push(`${error?.name}: ${String(error?.message).slice(0, 200)}`);
        }
      }
    },
  };
}

const EVENT_TYPES = ['FILL_CONFIRMED', 'PRICE_TICK', 'STRATEGY_EVALUATE', 'LOG_WRITE', 'RISK_EVALUATE', 'NOPE'];
const hostile = fc.oneof(
  fc.anything(),
  fc.bigInt(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 1e308),
  fc.constant((() => { const o = { a: 1 }; o.self = o; return o; })()),
  fc.integer({ min: 200, max: 3000 }).map((depth) => { let v = { leaf: 1 }; for (let i = 0; i < depth; i++) v = { n: v }; return v; }),
);

/** Events: foreign values and mutated copies of valid events, and createEvent with hostile inits. */
function fuzzEvents(lib, runs, seed) {
  const counter = outcomeCounter();
  const base = { ...lib.createEvent('PRICE_TICK', { eventId: 'x', timestamp: 0 }) };
  const isTyped = (e) => e instanceof lib.EventValidationError;
  fc.assert(
    fc.property(hostile, fc.constantFrom(...Object.keys(base), 'extra'), fc.constantFrom(...EVENT_TYPES), hostile, (value, field, type, initValue) => {
      counter.record(() => lib.validateEvent(value), isTyped);
      counter.record(() => lib.validateEvent({ ...base, [field]: value }), isTyped);
      counter.record(() => lib.createEvent(type, { [field === 'eventType' ? 'payload' : field]: initValue }), isTyped);
      counter.record(() => lib.createEvent(value), isTyped);
    }),
    { numRuns: runs, seed },
  );
  return counter;
}

const ALIAS_TRICKS = ['*nope', '&a 1', '[*a]', '!!binary aGVsbG8=', '!!js/function "x"', '<<: *nope', `${'['.repeat(50)}`, '&x [*x]', '"\\u0000"', '~', '0x10', '1e999', '-.inf', '.nan'];

/** One mutated YAML document: a value replaced, a line dropped or doubled, indentation broken, or an alias bomb. */
const yamlMutation = (text) => {
  const lines = text.split('\n');
  return fc.oneof(
    fc.tuple(fc.nat(lines.length - 1), fc.oneof(fc.constantFrom(...ALIAS_TRICKS), fc.string(), fc.double().map(String), fc.integer().map(String))).map(([i, v]) => {
      const copy = [...lines];
      copy[i] = copy[i].replace(/:\s*[^#\n]*/, `: ${v}`);
      return copy.join('\n');
    }),
    fc.nat(lines.length - 1).map((i) => lines.filter((_, j) => j !== i).join('\n')),
    fc.nat(lines.length - 1).map((i) => [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n')),
    fc.tuple(fc.nat(lines.length - 1), fc.integer({ min: 1, max: 3 })).map(([i, n]) => lines.map((l, j) => (j === i ? ' '.repeat(n) + l : l)).join('\n')),
    fc.integer({ min: 2, max: 8 }).map((depth) => {
      const rows = ['a0: &a0 [1,1,1,1,1,1,1,1,1]'];
      for (let i = 1; i < depth; i++) rows.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
      return `${text}\n${rows.join('\n')}\n`;
    }),
    fc.string({ maxLength: 200 }),
  );
};

/** Both YAML configs, mutated. */
function fuzzConfigs(lib, runs, seed) {
  const results = {};
  for (const [name, text, parse] of [
    ['event.yaml', read('config/event.yaml'), lib.parseEventConfig],
    ['state.yaml', read('config/state.yaml'), lib.parseStateConfig],
  ]) {
    const counter = outcomeCounter();
    fc.assert(
      fc.property(yamlMutation(text), (mutated) => counter.record(() => parse(mutated, name), (e) => e instanceof lib.ConfigError)),
      { numRuns: runs, seed },
    );
    results[name] = counter;
  }
  return results;
}

const metricsArb = fc.record({
  drawdownPct: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.1, 2, Number.NaN)),
  vix: fc.oneof(fc.double({ min: 0, max: 90, noNaN: true }), fc.constant(-1)),
  consecutiveScalpLosses: fc.nat(10),
  dailyLossPct: fc.double({ min: 0, max: 0.2, noNaN: true }),
  marketCircuitBreaker: fc.boolean(),
  consecutiveProfitableDays: fc.nat(10),
  cagr: fc.double({ min: -1, max: 3, noNaN: true }),
  targetCagr: fc.constant(0.08),
  capitalGrowthPct: fc.double({ min: -1, max: 3, noNaN: true }),
  winRate30d: fc.double({ min: 0, max: 1, noNaN: true }),
});
const DAY = 86_400_000;
const CALM = { drawdownPct: 0.02, vix: 18, consecutiveScalpLosses: 0, dailyLossPct: 0, marketCircuitBreaker: false, consecutiveProfitableDays: 0, cagr: 0.05, targetCagr: 0.08, capitalGrowthPct: 0.05, winRate30d: 0.5 };
const STATES = ['AGGRESSIVE', 'BALANCED', 'DEFENSIVE'];
const opArb = fc.oneof(
  fc.record({ kind: fc.constant('metrics'), metrics: metricsArb }),
  fc.record({ kind: fc.constant('safety'), safety: fc.constantFrom('NORMAL', 'NORMAL', 'WARNING', 'FAIL', 'LOCKDOWN', 'PANIC') }),
  fc.record({ kind: fc.constant('override'), state: fc.constantFrom(...STATES, 'CALM'), revert: fc.constantFrom(...STATES), days: fc.double({ min: -1, max: 10, noNaN: true }) }),
  fc.record({ kind: fc.constant('advance'), hours: fc.integer({ min: 1, max: 24 * 6 }) }),
  fc.record({ kind: fc.constant('expiry') }),
);

/**
 * The state machine against a model of what always holds: FAIL forces DEFENSIVE and cancels the
 * override; LOCKDOWN halts trading and keeps the state, and its release returns AGGRESSIVE as
 * BALANCED (an override to AGGRESSIVE included); an active override holds its state until
 * its expiry; after the expiry check the state is the revert state; a refused input changes nothing.
 */
function fuzzStateMachine(lib, runs, seed) {
  const counter = outcomeCounter();
  let violations = 0;
  const violationsSeen = [];
  const isTyped = (e) => e instanceof lib.MetricsError || e instanceof lib.OverrideError || e instanceof lib.SafetyStateError;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const advance = (ms) => (scheduler.schedule(() => undefined, ms), scheduler.flush());
      const manager = new lib.OperatingStateManager({}, { scheduler });
      let safety = 'NORMAL';
      let override = null; // the model: { state, revert, expiry } or null
      const violate = (what) => {
        violations++;
        if (violationsSeen.length < 3) violationsSeen.push(what);
      };
      for (const op of ops) {
        const before = JSON.stringify(manager.getSnapshot());
        const now = scheduler.now();
        let refused = false;
        const run = () => {
          try {
            if (op.kind === 'metrics') manager.evaluateTransition(op.metrics, safety);
            else if (op.kind === 'safety') manager.evaluateTransition(CALM, op.safety);
            else if (op.kind === 'override') {
              manager.applyOverride({ overrideState: op.state, overrideReason: 'fuzz', operatorId: 'f', overrideTime: now, expiryTime: now + op.days * DAY, autoRevertState: op.revert });
            } else if (op.kind === 'expiry') manager.checkOverrideExpiry();
            else advance(op.hours * 3_600_000);
          } catch (error) {
            refused = true;
            throw error;
          }
        };
        counter.record(run, isTyped);
        if (refused) {
          if (JSON.stringify(manager.getSnapshot()) !== before) violate(`${op.kind} refused but the snapshot changed`);
          continue;
        }
        // Safety over the state, overrides included (SPEC 2.4): a LOCKDOWN release returns
        // AGGRESSIVE as BALANCED, also while an override to AGGRESSIVE is active.
        if (op.kind === 'safety' && safety === 'LOCKDOWN' && op.safety !== 'LOCKDOWN' && override?.state === 'AGGRESSIVE') override.state = 'BALANCED';
        if (op.kind === 'safety') safety = op.safety;
        if (op.kind === 'override') override = { state: op.state, revert: op.revert, expiry: now + op.days * DAY };
        const snap = manager.getSnapshot();
        if (override !== null && (safety === 'FAIL' || (op.kind !== 'override' && scheduler.now() >= override.expiry && op.kind !== 'advance'))) {
          // FAIL cancels it; any check at or past the expiry reverts it.
          if (safety !== 'FAIL' && snap.currentState !== override.revert) violate(`expired override did not revert to ${override.revert}`);
          override = null;
        }
        if (safety === 'FAIL' && op.kind !== 'advance' && (snap.currentState !== 'DEFENSIVE' || snap.manualOverride)) violate('FAIL without DEFENSIVE');
        if ((safety === 'LOCKDOWN') !== snap.tradingHalted && op.kind !== 'advance' && op.kind !== 'override' && op.kind !== 'expiry') violate('LOCKDOWN and tradingHalted disagree');
        if (override !== null && snap.currentState !== override.state) violate(`override to ${override.state} not held`);
        if (override !== null && !snap.manualOverride) violate('override lost');
      }
    }),
    { numRuns: runs, seed },
  );
  return { ...counter, violations, violationsSeen };
}

/** Corrupted CSV files through the CLI's replay: exit 0, or exit 1 with `qts-reactive replay: file…`. */
async function fuzzCsv(lib, main, runs, seed) {
  const counts = { valid: 0, typed: 0, other: 0, hang: 0 };
  const others = [];
  const spx = read('test/replay/fixtures/spx-small.csv');
  const vix = read('test/replay/fixtures/vix-small.csv');
  const corrupt = (text) =>
    fc.oneof(
      fc.tuple(fc.nat(text.length - 1), fc.constantFrom(',', '\n', '\r\n', '"', '\uFEFF', '\0', 'e', '-', '.', '9', ' ', 'é')).map(([i, c]) => text.slice(0, i) + c + text.slice(i + 1)),
      fc.nat(text.length).map((n) => text.slice(0, n)),
      fc.constantFrom('1e308', '-1', '0', '1e-320', 'NaN', 'Infinity', '0x10', '', '99999999999999999999999').map((v) => text.replace(/,110\n/, `,${v}\n`)),
      fc.constantFrom('2020-02-30', '2020-13-01', '1969-12-31', '9999-12-31', '2020-1-1').map((d) => text.replace('2020-01-02', d)),
      fc.string({ maxLength: 300 }),
    );
  const dir = mkdtempSync(join(tmpdir(), 'qts-csv-fuzz-'));
  try {
    await fc.assert(
      fc.asyncProperty(corrupt(spx), corrupt(vix), async (s, v) => {
        writeFileSync(join(dir, 'spx.csv'), s);
        writeFileSync(join(dir, 'vix.csv'), v);
        let stderr = '';
        const io = { cwd: dir, stdout: { write: () => true }, stderr: { write: (c) => (stderr += c) } };
        const timeout = new Promise((resolve) => setTimeout(() => resolve('hang'), 10_000));
        const code = await Promise.race([main(['replay', '--spx', 'spx.csv', '--vix', 'vix.csv', '--no-report', '--no-state-file', '--json'], io), timeout]);
        if (code === 'hang') counts.hang++;
        else if (code === 0) counts.valid++;
        else if (code === 1 && /^qts-reactive replay: (spx|vix)\.csv(:\d+)?: /.test(stderr)) counts.typed++;
        else {
          counts.other++;
          if (others.length < 3) others.push(stderr.slice(0, 200));
        }
      }),
      { numRuns: runs, seed },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { counts, others };
}

/**
 * Runs every fuzz target with `runs` cases each.
 * @param lib the library (dist or src); main the CLI entry (`main` of cli/main)
 */
export async function fuzz(lib, main, { runs, seed = 3 }) {
  const configs = fuzzConfigs(lib, runs, seed);
  return {
    runs,
    seed,
    targets: [
      ['events (validateEvent / createEvent)', fuzzEvents(lib, runs, seed)],
      ['config/event.yaml mutated', configs['event.yaml']],
      ['config/state.yaml mutated', configs['state.yaml']],
      ['operating state sequences vs model', fuzzStateMachine(lib, Math.max(1, Math.round(runs / 4)), seed)],
      ['replay CLI with corrupted CSVs', await fuzzCsv(lib, main, Math.max(1, Math.round(runs / 4)), seed)],
    ],
  };
}

export const fuzzHeader = ['target', 'inputs tried', 'valid', 'typed error', 'other exception', 'hang', 'model violations'];

/** The fuzz table rows. */
export function fuzzRows(result) {
  return result.targets.map(([name, r]) => {
    const c = r.counts;
    return [name, c.valid + c.typed + c.other + (c.hang ?? 0), c.valid, c.typed, c.other, c.hang ?? 0, r.violations ?? '—'];
  });
}
