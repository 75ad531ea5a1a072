import { describe, expect, it } from 'vitest';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { ConfigError, EventDispatcher, createEvent, parseEventConfig, parseStateConfig, resolveEventConfig } from '../../src/index.js';

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, got none');
}

describe('YAML aliases: a ConfigError at the alias, never a bare ReferenceError', () => {
  it('an alias to a missing anchor', () => {
    const error = configErrorOf(() => parseEventConfig('event:\n  stop_timeout_ms: *nope\n', 'bad.yaml'));
    expect(error.message).toBe('bad.yaml:2:20: invalid YAML alias *nope: Unresolved alias (the anchor must be set before the alias): nope');
  });

  it('a billion-laughs alias bomb, refused cheaply', () => {
    const rows = ['a: &a [1,1,1,1,1,1,1,1,1]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) rows.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const error = configErrorOf(() => parseStateConfig(`${rows.join('\n')}\n`, 'bomb.yaml'));
    expect(error.message).toMatch(/^bomb\.yaml:2:\d+: invalid YAML alias \*a: Excessive alias count/);
  });
});

describe('unknown keys are located in linear time', () => {
  it('20 000 unknown keys: the first one is reported, with its position', () => {
    const text = `event:\n${Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1`).join('\n')}\n`;
    const error = configErrorOf(() => parseEventConfig(text, 'many.yaml'));
    expect(error.message).toBe('many.yaml:2:3 event.k0: unknown key; expected one of queues, monitoring, stop_timeout_ms, event_types');
  });

  it('a duplicate key is still refused at its position', () => {
    const error = configErrorOf(() => parseEventConfig('event:\n  stop_timeout_ms: 1\n  stop_timeout_ms: 2\n', 'dup.yaml'));
    expect(error.message).toBe('dup.yaml:3:3: invalid YAML: Map keys must be unique');
  });
});

describe('upper bounds that protect memory', () => {
  it('latency_window above 1 000 000 is refused, saying why', () => {
    const error = configErrorOf(() => parseEventConfig('event:\n  monitoring:\n    latency_window: 2147483648\n', 'big.yaml'));
    expect(error.message).toBe(
      'big.yaml:3:21 event.monitoring.latency_window: expected a positive integer <= 1000000 (samples reserved up front per lane, 8 bytes each), got 2147483648',
    );
  });

  it('a lane capacity above 16 777 216 is refused, saying why', () => {
    const error = configErrorOf(() => resolveEventConfig({ queues: { p3: { capacity: 1e9 } } }));
    expect(error.keyPath).toBe('event.queues.p3.capacity');
    expect(error.expected).toContain('<= 16777216');
  });

  it('a batch size of 1e9 reserves nothing beyond the lane capacity, and a full lane leaves as one batch', async () => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const d = new EventDispatcher({ queues: { p3: { batchSize: 1e9, capacity: 4 } } }, { scheduler });
    const batches: number[] = [];
    d.registerHandler(3, (batch) => void batches.push(batch.length));
    await d.start();
    for (let i = 0; i < 4; i++) void d.dispatch(createEvent('LOG_WRITE'));
    scheduler.flush();
    expect(batches).toEqual([4]);
    expect(scheduler.now()).toBe(0); // full: it did not wait for the batch timeout
  });
});
