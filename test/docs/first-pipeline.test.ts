import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const example = new URL('../../docs/examples/first-pipeline.mjs', import.meta.url);

afterEach(() => vi.restoreAllMocks());

describe("the README's first pipeline for npm users (docs/examples/first-pipeline.mjs)", () => {
  it('is printed in the README exactly as the file is', () => {
    const block = /<!-- example: docs\/examples\/first-pipeline\.mjs -->\n```js\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(example, 'utf8').replace(/\n$/, ''));
  });

  it('prints what the README says it prints', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    // @ts-expect-error an untyped JavaScript example
    await import('../../docs/examples/first-pipeline.mjs');
    const printed = /```text\n(fill[\s\S]*?)\n```/.exec(readme)![1]!;
    expect(lines.join('\n')).toBe(printed);
  });
});
