import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const docs = new URL('../../docs/', import.meta.url);
const guide = readFileSync(new URL('testing.md', docs), 'utf8');

/** Every ```ts block of the guide with the example file named in the comment just above it (if any). */
function codeBlocks(markdown: string): { example: string | undefined; code: string }[] {
  return [...markdown.matchAll(/(?:<!-- example: (\S+) -->\n)?```ts\n([\s\S]*?)\n```/g)].map((m) => ({ example: m[1], code: m[2]! }));
}

describe('docs/testing.md', () => {
  const blocks = codeBlocks(guide);

  it('prints every snippet from an example file that the test suite runs', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks) {
      expect(block.example, `a snippet without its example file:\n${block.code.slice(0, 200)}`).toBeDefined();
      expect(block.example).toMatch(/^examples\/testing\/[\w-]+\.test\.ts$/);
    }
  });

  it.each(codeBlocks(guide).map((b) => [b.example ?? '(none)', b.code]))('%s is printed exactly as it is run', (example, code) => {
    const file = new URL(example, docs);
    expect(existsSync(file)).toBe(true);
    expect(code).toBe(readFileSync(file, 'utf8').replace(/\n$/, ''));
  });
});
