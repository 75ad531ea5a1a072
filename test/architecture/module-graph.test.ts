/**
 * The shape of the source tree: every module imports only downwards, and no two modules import each
 * other, even through type-only imports. The layers, lowest first, are the folders of src/; a module
 * may import from its own folder (without a cycle) or from a lower layer, never from its own layer's
 * other folders or from above.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Layer of each top-level folder (or root file) of src/, lowest first. */
const LAYERS: Readonly<Record<string, number>> = {
  common: 0,
  config: 1,
  debug: 1,
  safety: 1,
  scheduling: 1,
  event: 2,
  operators: 3,
  state: 3,
  prometheus: 4,
  telemetry: 4,
  replay: 5,
  nats: 6,
  cli: 7,
  'index.ts': 8,
  'node.ts': 8,
};

const MAX_LINES = 450;

interface Module {
  readonly path: string;
  readonly lines: number;
  readonly imports: readonly string[];
}

/** Relative `import … from` / `export … from` / `import(…)` specifiers, type-only ones included. */
const IMPORT = /(?:(?:^|\n)\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function readModules(): Map<string, Module> {
  const modules = new Map<string, Module>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(full, 'utf8');
        const imports = [...text.matchAll(IMPORT)].map((m) =>
          relative(SRC, resolve(dirname(full), m[1] ?? '')).replace(/\.js$/, '.ts'),
        );
        const path = relative(SRC, full);
        modules.set(path, { path, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports });
      }
    }
  };
  walk(SRC);
  return modules;
}

const topOf = (path: string): string => path.split('/')[0] ?? path;

/** Every cycle's members (strongly connected components of more than one module, or a self-import). */
function cycles(modules: Map<string, Module>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of modules.get(v)?.imports ?? []) {
      if (!modules.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) {
          onStack.delete(w);
          members.push(w);
        }
      } while (w !== undefined && w !== v);
      if (members.length > 1 || (modules.get(v)?.imports.includes(v) ?? false)) found.push(members.sort());
    }
  };
  for (const v of modules.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the module graph of src/', () => {
  const modules = readModules();

  it('reads the imports it checks (the scan finds the dispatcher importing the contracts)', () => {
    const importers = [...modules.values()].filter((m) => m.imports.includes('event/contracts.ts'));
    expect(importers.length).toBeGreaterThan(10);
    expect(modules.size).toBeGreaterThan(50);
  });

  it('resolves every relative import to a module of src/', () => {
    const unresolved = [...modules.values()].flatMap((m) =>
      m.imports.filter((target) => !modules.has(target)).map((target) => `${m.path} -> ${target}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles(modules)).toEqual([]);
  });

  it('places every folder of src/ in a layer', () => {
    const unplaced = [...new Set([...modules.keys()].map(topOf))].filter((top) => LAYERS[top] === undefined);
    expect(unplaced).toEqual([]);
  });

  it('has no upward arrow: a module imports from its own folder or from a lower layer', () => {
    const upward: string[] = [];
    for (const m of modules.values()) {
      const from = topOf(m.path);
      for (const target of m.imports) {
        const to = topOf(target);
        if (to === from) continue;
        if ((LAYERS[to] ?? Infinity) >= (LAYERS[from] ?? -Infinity)) upward.push(`${m.path} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it(`keeps every module at ${MAX_LINES} lines or fewer`, () => {
    const long = [...modules.values()].filter((m) => m.lines > MAX_LINES).map((m) => `${m.path}: ${m.lines}`);
    expect(long).toEqual([]);
  });
});

describe('the cycle finder', () => {
  const graph = (edges: Record<string, string[]>): Map<string, Module> =>
    new Map(Object.entries(edges).map(([path, imports]) => [path, { path, lines: 1, imports }]));

  it('finds a two-module loop and a self-import, and nothing in a tree', () => {
    expect(cycles(graph({ a: ['b'], b: ['a'], c: ['c'], d: ['a'] }))).toEqual([['a', 'b'], ['c']]);
    expect(cycles(graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
  });
});
