import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const fixtures = fileURLToPath(new URL('../replay/fixtures/', import.meta.url));

async function replayWithClose(date: string, close: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'qts-overflow-'));
  const spx = readFileSync(join(fixtures, 'spx-small.csv'), 'utf8').replace(new RegExp(`${date},[0-9.]+`), `${date},${close}`);
  writeFileSync(join(cwd, 'spx.csv'), spx);
  writeFileSync(join(cwd, 'vix.csv'), readFileSync(join(fixtures, 'vix-small.csv'), 'utf8'));
  let stdout = '';
  let stderr = '';
  const code = await main(['replay', '--spx', 'spx.csv', '--vix', 'vix.csv', '--no-report', '--no-state-file'], {
    cwd,
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
  });
  return { code, stdout, stderr };
}

describe('replay: a close that is a valid number but overflows the derived metrics', () => {
  it('a tiny close (1e-320) that makes the next daily return infinite is refused at the next row', async () => {
    const { code, stdout, stderr } = await replayWithClose('2020-01-02', '1e-320');
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/^qts-reactive replay: spx\.csv:6: expected a close whose derived metrics are finite, got dailyReturn = Infinity from the close 104\.5 on 2020-01-06\n$/);
  });

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
