import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
}

describe('the optional peer dependency prom-client', () => {
  it('is imported only by qts-reactive/prometheus and the replay endpoint, which the CLI loads on demand', () => {
    const importers: string[] = [];
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8');
      const staticImports = [...text.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
      if (staticImports.some((spec) => spec === 'prom-client' || spec.includes('prometheus/') || spec.includes('metricsEndpoint'))) importers.push(relative(src, file));
    }
    expect(importers.sort()).toEqual(['prometheus/common.ts', 'prometheus/dispatcher.ts', 'prometheus/state.ts', 'replay/metricsEndpoint.ts']);
  });
});
