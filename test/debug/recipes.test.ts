import { describe, it, expect, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// The examples import the package by name, as a user would; here that name is this source tree.
vi.mock('qts-reactive', async () => await import('../../src/index.js'));
vi.mock('qts-reactive/operators', async () => await import('../../src/operators/index.js'));

const docsDir = new URL('../../docs/', import.meta.url);
const debugging = readFileSync(new URL('debugging.md', docsDir), 'utf8');

/** The fenced block right after `marker` in the page. */
function blockAfter(text: string, marker: string): string {
  const start = text.indexOf(marker);
  expect(start, `${marker} in docs/debugging.md`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(text.slice(start + marker.length));
  return match![1]!;
}

/** The output block the page shows after an example (the first plain fence after its code). */
function outputAfter(example: string): string[] {
  const marker = `<!-- example: ${example} -->`;
  const afterCode = debugging.indexOf('```\n', debugging.indexOf('\n```\n', debugging.indexOf(marker)) + 4);
  return blockAfter(debugging.slice(afterCode - 1), '\n').split('\n');
}

const normalise = (line: string): string => line.replace(/matching \/.*\/; value/, 'matching /…/; value').replace(/Timespan = \d+/, 'Timespan = …');

describe('docs/debugging.md recipes, run as written', () => {
  it('shows each example file exactly as it is shipped', () => {
    const examples = [...debugging.matchAll(/<!-- example: (\S+) -->/g)].map((m) => m[1]!);
    expect(examples).toEqual(['examples/rxjs-spy.mjs', 'examples/tap-logger.mjs']);
    for (const example of examples) {
      expect(blockAfter(debugging, `<!-- example: ${example} -->`)).toBe(readFileSync(new URL(example, docsDir), 'utf8').trimEnd());
    }
  });

  it('rxjs-spy with a plain create(): log, pause/step, show and stats on the library\'s tags print what the page shows', async () => {
    // @ts-expect-error an untyped JavaScript example
    const { runSpyExample } = (await import('../../docs/examples/rxjs-spy.mjs')) as { runSpyExample: (print: (line: string) => void) => Promise<string> };
    const lines: string[] = [];
    const finalState = await runSpyExample((line) => lines.push(line));
    lines.push(`final state: ${finalState}`);
    expect(lines.map(normalise)).toEqual(outputAfter('examples/rxjs-spy.mjs').map(normalise));
    expect(finalState).toBe('DEFENSIVE');
  });

  it('the tap logger prints what the page shows', async () => {
    // @ts-expect-error an untyped JavaScript example
    const { runTapLogger } = (await import('../../docs/examples/tap-logger.mjs')) as { runTapLogger: (print: (line: string) => void) => Promise<void> };
    const lines: string[] = [];
    await runTapLogger((line) => lines.push(line));
    expect(lines).toEqual(outputAfter('examples/tap-logger.mjs'));
  });

  it('restores the identity hook afterwards', async () => {
    const { instrument } = await import('../../src/debug/instrument.js');
    const { identity } = await import('rxjs');
    expect(instrument('anything')).toBe(identity);
  });

  it('ships the examples in the package', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' })) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['docs/examples/rxjs-spy.mjs', 'docs/examples/tap-logger.mjs']));
  });
});
