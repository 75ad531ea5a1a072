import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { EventDispatcher } from '../../src/event/dispatcher/index.js';
import { OperatingStateManager } from '../../src/state/manager.js';
import { collectDispatcherMetrics, collectOperatingStateMetrics } from '../../src/prometheus/index.js';

interface Panel {
  readonly title: string;
  readonly type: string;
  readonly targets: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../docs/examples/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Panel[]; title: string };

describe('docs/examples/grafana-dashboard.json', () => {
  it('has the lane depth, drops, P0 latency against its budget and state timeline panels', () => {
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Lane depth', 'Drops per second by lane and reason', 'P0 handler latency vs its 10 ms budget', 'Operating state']));
    expect(dashboard.panels.find((p) => p.title === 'Operating state')!.type).toBe('state-timeline');
    const p0 = dashboard.panels.find((p) => p.title.startsWith('P0'))!.targets.map((t) => t.expr).join(' ');
    expect(p0).toMatch(/qts_lane_latency_budget_seconds\{[^}]*lane="P0"/);
  });

  it('queries only metrics the collectors export', () => {
    const registry = new Registry();
    const exported = new Set([
      ...collectDispatcherMetrics(new EventDispatcher(), { registry }).metricNames,
      ...collectOperatingStateMetrics(new OperatingStateManager(), { registry }).metricNames,
    ]);
    const queried = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\bqts_[a-z_]+/g)].map((m) => m[0])));
    expect(queried.length).toBeGreaterThan(8);
    for (const name of queried) expect(exported, name).toContain(name.replace(/_(bucket|count|sum)$/, ''));
  });
});
