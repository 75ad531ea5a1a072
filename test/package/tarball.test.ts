import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The files `npm pack` would put in the tarball, relative to the package root. */
function packedFiles(): string[] {
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack --dry-run failed: ${pack.stderr}`);
  return (JSON.parse(pack.stdout) as [{ files: { path: string }[] }])[0].files.map((file) => file.path);
}

/** Relative targets of the Markdown links in `text` (no scheme, no pure anchors), without their anchors. */
function relativeLinks(text: string): string[] {
  const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#')).map((t) => t.split('#')[0]!);
}

describe('the packed package stands alone', () => {
  let files: string[];
  beforeAll(() => {
    files = packedFiles();
  }, 60_000);

  it('ships the docs, their examples, the data and the config, and no tests', () => {
    for (const file of ['README.md', 'docs/README.md', 'docs/testing.md', 'docs/examples/replay-small-lanes.yaml', 'data/sp500-daily.csv', 'data/vix-daily.csv', 'config/event.yaml', 'config/state.yaml']) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((file) => file.startsWith('test/') || file.startsWith('docs/api/'))).toEqual([]);
  });

  it('every relative link in the shipped Markdown leads to a shipped file', () => {
    const shipped = new Set(files);
    const broken: string[] = [];
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      for (const target of relativeLinks(readFileSync(posix.join(root, file), 'utf8'))) {
        const resolved = posix.normalize(posix.join(posix.dirname(file), target)).replace(/\/$/, '');
        const isDirectory = files.some((f) => f.startsWith(`${resolved}/`));
        if (!shipped.has(resolved) && !isDirectory) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the operator docs point at examples in the docs, not at test files a user does not have', () => {
    for (const file of files.filter((f) => f.startsWith('docs/operators/'))) {
      expect(readFileSync(posix.join(root, file), 'utf8'), file).not.toMatch(/\btest\/[\w/.-]+\.ts/);
    }
  });

  it('names its repository, home page and issue tracker', () => {
    const manifest = JSON.parse(readFileSync(posix.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest['repository']).toEqual({ type: 'git', url: 'git+https://github.com/qts-reactive/qts-reactive.git' });
    expect(manifest['homepage']).toBe('https://github.com/qts-reactive/qts-reactive#readme');
    expect(manifest['bugs']).toEqual({ url: 'https://github.com/qts-reactive/qts-reactive/issues' });
  });
});
