import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const fixtures = fileURLToPath(new URL('../replay/fixtures/', import.meta.url));

describe('replay: a close that is a valid number but overflows the derived metrics', () => {
  it('an S&P close of 1e308 is refused at file:line, not inside the pipeline', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-overflow-'));
    const spx = readFileSync(join(fixtures, 'spx-small.csv'), 'utf8').replace('2020-01-06,104.5', '2020-01-06,1e308');
    writeFileSync(join(cwd, 'spx.csv'), spx);
    writeFileSync(join(cwd, 'vix.csv'), readFileSync(join(fixtures, 'vix-small.csv'), 'utf8'));
    let stdout = '';
    let stderr = '';
    const code = await main(['replay', '--spx', 'spx.csv', '--vix', 'vix.csv', '--no-report', '--no-state-file'], {
      cwd,
      stdout: { write: (c: string) => (stdout += c) },
      stderr: { write: (c: string) => (stderr += c) },
    });
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/^qts-reactive replay: spx\.csv:6: expected a close whose derived metrics are finite, got \w+ = Infinity from the close 1e\+308 on 2020-01-06\n$/);
  });
});
