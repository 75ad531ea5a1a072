import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultEventConfig,
  parseEventConfig,
  resolveEventConfig,
  type EventConfig,
} from '../../src/index.js';
import { loadEventConfig } from '../../src/node.js';
import { errorOf, isDeeplyFrozen } from './helpers.js';

/** The design's values (seed section 7) plus the documented extension keys. */
const SEED_EVENT_CONFIG: EventConfig = {
  queues: {
    p0: { capacity: 100, overflowPolicy: 'BLOCK', batchSize: 1, batchTimeoutMs: 0, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p1: { capacity: 10000, overflowPolicy: 'DROP_OLDEST', batchSize: 100, batchTimeoutMs: 10, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p2: { capacity: 1000, overflowPolicy: 'COLLAPSE', batchSize: 50, batchTimeoutMs: 100, sampleRate: 1, concurrency: 1, maxStarvationMs: null },
    p3: { capacity: 50000, overflowPolicy: 'SAMPLE', batchSize: 100, batchTimeoutMs: 1000, sampleRate: 0.1, concurrency: 1, maxStarvationMs: null },
  },
  monitoring: {
    checkIntervalMs: 100,
    latencyWindow: 1024,
    alerts: {
      p0Depth: { warning: 50, critical: 80 },
      p1Depth: { warning: 7000, critical: 9000 },
      p2Depth: { warning: 800, critical: 950 },
      p3Depth: null,
    },
    backpressure: { p1: { warning: 0.7, critical: 0.9 }, p2: { warning: 0.8, critical: 0.95 } },
    latencyBudgetMs: { p0: 10, p1: 50, p2: 500 },
  },
  stopTimeoutMs: 5000,
  eventTypes: {},
};

const tempDir = mkdtempSync(join(tmpdir(), 'qts-event-config-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe('the shipped config/event.yaml', () => {
  it('loads to the design values', () => {
    expect(defaultEventConfig()).toEqual(SEED_EVENT_CONFIG);
  });

  it('is what loadEventConfig() and resolveEventConfig() return without arguments: one cached, deeply frozen object', () => {
    const defaults = defaultEventConfig();
    expect(loadEventConfig()).toBe(defaults);
    expect(resolveEventConfig()).toBe(defaults);
    expect(resolveEventConfig({})).toBe(defaults);
    expect(isDeeplyFrozen(defaults)).toBe(true);
  });

  it('loads by path and by file URL to the same values', () => {
    const shipped = new URL('../../config/event.yaml', import.meta.url);
    expect(loadEventConfig(shipped)).toEqual(SEED_EVENT_CONFIG);
    expect(loadEventConfig(shipped.pathname)).toEqual(SEED_EVENT_CONFIG);
  });
});

describe('partial configurations are deep-merged over the defaults', () => {
  it('from a file: only the written keys change', () => {
    const file = join(tempDir, 'fast-market.yaml');
    writeFileSync(file, 'event:\n  queues:\n    p1:\n      batch_size: 20\n  monitoring:\n    alerts:\n      p3_depth: {warning: 30000, critical: 45000}\n');
    const config = loadEventConfig(file);
    expect(config.queues.p1).toEqual({ ...SEED_EVENT_CONFIG.queues.p1, batchSize: 20 });
    expect(config.queues.p0).toEqual(SEED_EVENT_CONFIG.queues.p0);
    expect(config.monitoring.alerts.p3Depth).toEqual({ warning: 30000, critical: 45000 });
    expect(config.monitoring.alerts.p1Depth).toEqual(SEED_EVENT_CONFIG.monitoring.alerts.p1Depth);
    expect(isDeeplyFrozen(config)).toBe(true);
  });

  it('from a file URL', () => {
    const file = join(tempDir, 'stop.yaml');
    writeFileSync(file, 'event:\n  stop_timeout_ms: 250\n');
    expect(loadEventConfig(pathToFileURL(file)).stopTimeoutMs).toBe(250);
  });

  it('from text: an empty document or an empty event block overrides nothing', () => {
    expect(parseEventConfig('')).toEqual(SEED_EVENT_CONFIG);
    expect(parseEventConfig('# nothing to change\n')).toEqual(SEED_EVENT_CONFIG);
    expect(parseEventConfig('event: {}\n')).toEqual(SEED_EVENT_CONFIG);
  });

  it('from text: null switches an optional feature off, a mapping switches it on', () => {
    const on = parseEventConfig('event:\n  queues:\n    p3:\n      max_starvation_ms: 2000\n');
    expect(on.queues.p3.maxStarvationMs).toBe(2000);
    const off = parseEventConfig('event:\n  queues:\n    p3:\n      max_starvation_ms: null\n');
    expect(off.queues.p3.maxStarvationMs).toBeNull();
  });

  it('from code: camelCase partials, undefined leaves the default', () => {
    const config = resolveEventConfig({
      queues: { p0: { capacity: 200 }, p3: { sampleRate: 0.5, batchSize: undefined } },
      monitoring: { backpressure: { p1: { warning: 0.6 } } },
    });
    expect(config.queues.p0).toEqual({ ...SEED_EVENT_CONFIG.queues.p0, capacity: 200 });
    expect(config.queues.p3).toEqual({ ...SEED_EVENT_CONFIG.queues.p3, sampleRate: 0.5 });
    expect(config.monitoring.backpressure.p1).toEqual({ warning: 0.6, critical: 0.9 });
    expect(config.monitoring.backpressure.p2).toEqual(SEED_EVENT_CONFIG.monitoring.backpressure.p2);
    expect(isDeeplyFrozen(config)).toBe(true);
  });

  it('from code: a full resolved config passes through unchanged, and the partial is not modified', () => {
    const partial = { queues: { p1: { capacity: 20000 } } };
    const config = resolveEventConfig(partial);
    expect(resolveEventConfig(config)).toEqual(config);
    expect(partial).toEqual({ queues: { p1: { capacity: 20000 } } });
    expect(Object.isFrozen(partial)).toBe(false);
  });
});

describe('ConfigError', () => {
  it('carries file, line, column, key path, expected and received', () => {
    const error = errorOf(() =>
      parseEventConfig('event:\n  queues:\n    p0:\n      capacity: 100\n    p1:\n      capacity: -5\n', 'config/event.yaml'),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe('config/event.yaml:6:17 event.queues.p1.capacity: expected a positive integer, got -5');
    expect({ ...error }).toMatchObject({
      file: 'config/event.yaml',
      line: 6,
      column: 17,
      keyPath: 'event.queues.p1.capacity',
      expected: 'a positive integer',
      received: '-5',
    });
  });

  it('from code has no file or position', () => {
    const error = errorOf(() => resolveEventConfig({ queues: { p1: { capacity: -5 } } }));
    expect(error.message).toBe('event.queues.p1.capacity: expected a positive integer, got -5');
    expect([error.file, error.line, error.column]).toEqual([null, null, null]);
  });

  it('reports the problem that comes first in the file', () => {
    const text = 'event:\n  stop_timeout_ms: -1\n  queues:\n    p2:\n      batch_size: 0\n';
    expect(errorOf(() => parseEventConfig(text, 'e.yaml')).message).toBe(
      'e.yaml:2:20 event.stop_timeout_ms: expected a number of milliseconds >= 0, got -1',
    );
  });

  it('names a file that cannot be read', () => {
    const missing = join(tempDir, 'missing.yaml');
    const error = errorOf(() => loadEventConfig(missing));
    expect(error.file).toBe(missing);
    expect(error.message).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read the file: ENOENT`));
  });

  it('leaves the defaults untouched: nothing is partially applied', () => {
    errorOf(() => parseEventConfig('event:\n  queues:\n    p1:\n      capacity: 20\n      batch_size: 0\n'));
    errorOf(() => resolveEventConfig({ queues: { p1: { capacity: 20 } }, stopTimeoutMs: -1 }));
    expect(defaultEventConfig()).toEqual(SEED_EVENT_CONFIG);
    expect(resolveEventConfig()).toEqual(SEED_EVENT_CONFIG);
  });
});

// Each invalid document is written as its own file, named in the message; lines and columns are 1-based.
const INVALID_FILES: ReadonlyArray<readonly [what: string, text: string, message: string]> = [
  [
    'a negative capacity',
    'event:\n  queues:\n    p0:\n      capacity: 100\n    p1:\n      capacity: -5\n',
    'bad.yaml:6:17 event.queues.p1.capacity: expected a positive integer, got -5',
  ],
  ['a fractional capacity', 'event:\n  queues:\n    p2:\n      capacity: 10.5\n', 'bad.yaml:4:17 event.queues.p2.capacity: expected a positive integer, got 10.5'],
  ['a quoted number', 'event:\n  queues:\n    p0:\n      capacity: "100"\n', 'bad.yaml:4:17 event.queues.p0.capacity: expected a positive integer, got "100"'],
  [
    'an unknown overflow policy',
    'event:\n  queues:\n    p3:\n      overflow_policy: BLOK\n',
    'bad.yaml:4:24 event.queues.p3.overflow_policy: expected one of BLOCK, DROP_OLDEST, COLLAPSE, SAMPLE, got "BLOK"',
  ],
  ['a misspelt key', 'event:\n  queues:\n    p1:\n      capacty: 5000\n', 'bad.yaml:4:7 event.queues.p1.capacty: unknown key; did you mean "capacity"?'],
  ['a camelCase key in YAML', 'event:\n  queues:\n    p1:\n      batchSize: 10\n', 'bad.yaml:4:7 event.queues.p1.batchSize: unknown key; did you mean "batch_size"?'],
  ['a misspelt root key', 'evnt:\n  queues: {}\n', 'bad.yaml:1:1 evnt: unknown key; did you mean "event"?'],
  ['a lane that does not exist', 'event:\n  queues:\n    p4:\n      capacity: 1\n', 'bad.yaml:3:5 event.queues.p4: unknown key; did you mean "p0"?'],
  [
    'an unknown key with no near match',
    'event:\n  lanes:\n    p1: {capacity: 1}\n',
    'bad.yaml:2:3 event.lanes: unknown key; expected one of queues, monitoring, stop_timeout_ms, event_types',
  ],
  ['a sample rate of 0', 'event:\n  queues:\n    p3:\n      sample_rate: 0\n', 'bad.yaml:4:20 event.queues.p3.sample_rate: expected a fraction in (0, 1], got 0'],
  ['a sample rate above 1', 'event:\n  queues:\n    p3:\n      sample_rate: 1.5\n', 'bad.yaml:4:20 event.queues.p3.sample_rate: expected a fraction in (0, 1], got 1.5'],
  [
    'a negative batch timeout',
    'event:\n  queues:\n    p1:\n      batch_timeout_ms: -10\n',
    'bad.yaml:4:25 event.queues.p1.batch_timeout_ms: expected a number of milliseconds >= 0, got -10',
  ],
  ['zero concurrency', 'event:\n  queues:\n    p2:\n      concurrency: 0\n', 'bad.yaml:4:20 event.queues.p2.concurrency: expected a positive integer, got 0'],
  [
    'a zero starvation limit',
    'event:\n  queues:\n    p3:\n      max_starvation_ms: 0\n',
    'bad.yaml:4:26 event.queues.p3.max_starvation_ms: expected null (off) or a number of milliseconds > 0, got 0',
  ],
  [
    'a lane left empty',
    'event:\n  queues:\n    p1:\n',
    'bad.yaml:3:8 event.queues.p1: expected a mapping with the keys capacity, overflow_policy, batch_size, batch_timeout_ms, sample_rate, concurrency, max_starvation_ms, got null',
  ],
  [
    'a depth warning above its critical',
    'event:\n  monitoring:\n    alerts:\n      p0_depth: {warning: 90, critical: 80}\n',
    'bad.yaml:4:27 event.monitoring.alerts.p0_depth.warning: expected a value below event.monitoring.alerts.p0_depth.critical (80), got 90',
  ],
  [
    'a depth critical at capacity',
    'event:\n  monitoring:\n    alerts:\n      p2_depth:\n        critical: 1000\n',
    'bad.yaml:5:19 event.monitoring.alerts.p2_depth.critical: expected a depth below event.queues.p2.capacity (1000), got 1000',
  ],
  [
    'a capacity below the depth alerts',
    'event:\n  queues:\n    p1:\n      capacity: 5000\n',
    'bad.yaml:4:17 event.queues.p1.capacity: expected a capacity above event.monitoring.alerts.p1_depth.critical (9000), got 5000',
  ],
  [
    'a P3 depth alert above capacity',
    'event:\n  monitoring:\n    alerts:\n      p3_depth: {warning: 40000, critical: 60000}\n',
    'bad.yaml:4:44 event.monitoring.alerts.p3_depth.critical: expected a depth below event.queues.p3.capacity (50000), got 60000',
  ],
  [
    'backpressure warning above critical',
    'event:\n  monitoring:\n    backpressure:\n      p2: {warning: 0.97}\n',
    'bad.yaml:4:21 event.monitoring.backpressure.p2.warning: expected a value below event.monitoring.backpressure.p2.critical (0.95), got 0.97',
  ],
  [
    'a backpressure ratio above 1',
    'event:\n  monitoring:\n    backpressure:\n      p1: {critical: 1.2}\n',
    'bad.yaml:4:22 event.monitoring.backpressure.p1.critical: expected a fraction in (0, 1], got 1.2',
  ],
  [
    'a zero check interval',
    'event:\n  monitoring:\n    check_interval_ms: 0\n',
    'bad.yaml:3:24 event.monitoring.check_interval_ms: expected a number of milliseconds > 0, got 0',
  ],
  [
    'a negative stop timeout',
    'event:\n  stop_timeout_ms: -1\n',
    'bad.yaml:2:20 event.stop_timeout_ms: expected a number of milliseconds >= 0, got -1',
  ],
  ['a list instead of a mapping', '- event\n', 'bad.yaml:1:1: expected a mapping with the key event, got a list'],
  [
    'a YAML syntax error',
    'event:\n  queues:\n    p1: [1,\n',
    'bad.yaml:4:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  ['a duplicate key', 'event:\n  stop_timeout_ms: 1\n  stop_timeout_ms: 2\n', 'bad.yaml:3:3: invalid YAML: Map keys must be unique'],
];

describe('invalid event configuration files', () => {
  it.each(INVALID_FILES)('rejects %s', (_what, text, message) => {
    const file = join(tempDir, 'bad.yaml');
    writeFileSync(file, text);
    expect(errorOf(() => parseEventConfig(text, 'bad.yaml')).message).toBe(message);
    expect(errorOf(() => loadEventConfig(file)).message).toBe(message.replace(/^bad\.yaml/, file));
  });
});

const INVALID_PARTIALS: ReadonlyArray<readonly [what: string, partial: unknown, message: string]> = [
  ['a misspelt camelCase key', { queues: { p1: { batchSizee: 10 } } }, 'event.queues.p1.batchSizee: unknown key; did you mean "batchSize"?'],
  ['a snake_case key from code', { stop_timeout_ms: 10 }, 'event.stop_timeout_ms: unknown key; did you mean "stopTimeoutMs"?'],
  ['NaN', { stopTimeoutMs: Number.NaN }, 'event.stop_timeout_ms: expected a number of milliseconds >= 0, got NaN'],
  ['Infinity', { queues: { p0: { capacity: Infinity } } }, 'event.queues.p0.capacity: expected a positive integer, got Infinity'],
  ['a wrong policy', { queues: { p1: { overflowPolicy: 'DROP_NEWEST' } } }, 'event.queues.p1.overflow_policy: expected one of BLOCK, DROP_OLDEST, COLLAPSE, SAMPLE, got "DROP_NEWEST"'],
  [
    'a capacity below the alert thresholds',
    { queues: { p0: { capacity: 60 } } },
    'event.queues.p0.capacity: expected a capacity above event.monitoring.alerts.p0_depth.critical (80), got 60',
  ],
  ['not a mapping', 42, 'event: expected a mapping, got 42'],
];

describe('invalid event configuration partials from code', () => {
  it.each(INVALID_PARTIALS)('rejects %s', (_what, partial, message) => {
    expect(errorOf(() => resolveEventConfig(partial as never)).message).toBe(message);
  });
});
