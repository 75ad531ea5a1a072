import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll } from 'vitest';
import { main, parseReplayArgs, REPLAY_HELP, resolveConfigFile, UsageError } from '../../src/cli/main.js';
import { parseSnapshot } from '../../src/state/snapshot.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, root } from '../support/build.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    stdout: { write: (c: string) => (stdout += c) },
    stderr: { write: (c: string) => (stderr += c) },
  });
  return { code, stdout, stderr };
}

const fixtures = fileURLToPath(new URL('../replay/fixtures/', import.meta.url));
const TIMELINE_KEYS = ['at', 'from', 'to', 'cause', 'reason'];
const STATES = ['AGGRESSIVE', 'BALANCED', 'DEFENSIVE'];

describe('qts-reactive replay --json on the shipped data', () => {
  let cwd: string;
  let result: Captured;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    result = await run(['replay', '--json'], cwd);
  });

  it('exits 0 and prints only the JSON timeline on stdout', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const timeline = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(Array.isArray(timeline)).toBe(true);
    expect(timeline.length).toBeGreaterThan(5);
    for (const entry of timeline) {
      expect(Object.keys(entry)).toEqual(TIMELINE_KEYS);
      expect(entry['at']).toMatch(/^20(1[6-9]|2[0-6])-\d\d-\d\d$/);
      expect(STATES).toContain(entry['from']);
      expect(STATES).toContain(entry['to']);
      expect(entry['from']).not.toBe(entry['to']);
      expect(typeof entry['cause']).toBe('string');
      expect(String(entry['reason']).length).toBeGreaterThan(0);
    }
  });

  it('starts from BALANCED, chains states and dates in order, and goes DEFENSIVE in the 2020 crash', () => {
    const timeline = JSON.parse(result.stdout) as { at: string; from: string; to: string; reason: string }[];
    expect(timeline[0]!.from).toBe('BALANCED');
    for (let i = 1; i < timeline.length; i++) {
      expect(timeline[i]!.from).toBe(timeline[i - 1]!.to);
      expect(timeline[i]!.at > timeline[i - 1]!.at).toBe(true);
    }
    const crash = timeline.find((t) => t.at >= '2020-02-20' && t.at <= '2020-03-31' && t.to === 'DEFENSIVE');
    expect(crash).toBeDefined();
  });

  it('writes no report in --json mode unless asked, and no state file anywhere in the working directory', () => {
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('is the same timeline on a second run (the state file does not leak into the replay)', async () => {
    const again = await run(['replay', '--json'], cwd);
    expect(again.stdout).toBe(result.stdout);
  });
});

describe('the state file', () => {
  it('is written only with --state-file PATH, at PATH', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    const { code, stdout } = await run(['replay', '--json', '--state-file', 'state/op.json', '--spx', join(fixtures, 'spx-small.csv'), '--vix', join(fixtures, 'vix-small.csv')], cwd);
    expect(code).toBe(0);
    expect(readdirSync(cwd)).toEqual(['state']);
    const persisted = JSON.parse(readFileSync(join(cwd, 'state/op.json'), 'utf8')) as unknown;
    const timeline = JSON.parse(stdout) as { to: string }[];
    expect(parseSnapshot(persisted, 'state file').currentState).toBe(timeline.at(-1)!.to);
  });

  it('defaults to none, and --no-state-file says so explicitly', () => {
    expect(parseReplayArgs([])).toMatchObject({ stateFile: null });
    expect(parseReplayArgs(['--no-state-file'])).toMatchObject({ stateFile: null });
    expect(parseReplayArgs(['--state-file', 'x.json'])).toMatchObject({ stateFile: 'x.json' });
  });
});

describe('the shipped examples by name', () => {
  it('--event-config replay-small-lanes reads docs/examples/replay-small-lanes.yaml from the package, from any directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    for (const name of ['replay-small-lanes', 'replay-small-lanes.yaml']) {
      expect(resolveConfigFile(name, cwd)).toEqual({
        path: fileURLToPath(new URL('../../docs/examples/replay-small-lanes.yaml', import.meta.url)),
        shown: 'docs/examples/replay-small-lanes.yaml',
      });
    }
    const { code, stdout, stderr } = await run(['replay', '--no-report', '--intraday', '3000', '--event-config', 'replay-small-lanes', '--spx', join(fixtures, 'spx-small.csv'), '--vix', join(fixtures, 'vix-small.csv')], cwd);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // P1 holds 200 events in the example (10 000 by default), so the bursts overflow it.
    expect(stdout).toMatch(/P1 +\d+ +\d+ +[1-9]\d*.*evicted \d+/);
  });

  it('a file of that name in the working directory comes first', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    writeFileSync(join(cwd, 'replay-small-lanes.yaml'), 'event: {}\n');
    expect(resolveConfigFile('replay-small-lanes.yaml', cwd)).toEqual({ path: join(cwd, 'replay-small-lanes.yaml'), shown: 'replay-small-lanes.yaml' });
  });

  it('a name that is neither a file nor a shipped example is refused, listing the examples', async () => {
    const { code, stderr } = await run(['replay', '--no-report', '--event-config', 'tiny-lanes'], fixtures);
    expect(code).toBe(1);
    expect(stderr).toBe('qts-reactive replay: tiny-lanes: expected a readable YAML file or the name of a shipped example (replay-small-lanes), got no such file\n');
  });
});

describe('qts-reactive --version', () => {
  it("prints the package's version", async () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      expect(await run([flag], fixtures)).toEqual({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    }
  });
});

describe('qts-reactive replay (human output)', () => {
  it('prints the summary and writes the report in the working directory', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    const { code, stdout, stderr } = await run(['replay', '--no-state-file'], cwd);
    expect(code).toBe(0);
    expect(stderr).toBe(''); // not a TTY: no progress bar
    expect(stdout).toContain('qts-reactive replay: 2016-02-12 … 2026-02-11');
    expect(stdout).toContain('Trading days per state:');
    expect(stdout).toContain('index: 95 with an empty close (market holidays)');
    expect(stdout).toContain('Report written to qts-replay-report.html');
    const html = readFileSync(join(cwd, 'qts-replay-report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(existsSync(join(cwd, '.state'))).toBe(false);
  });

  it('reads other files with --spx/--vix, relative to the working directory', async () => {
    const { code, stdout } = await run(['replay', '--spx', 'spx-small.csv', '--vix', 'vix-small.csv', '--no-report', '--no-state-file', '--target-cagr', '0.1'], fixtures);
    expect(code).toBe(0);
    expect(stdout).toContain('2020-01-01 … 2020-01-08, 5 trading days');
    expect(stdout).toContain('target CAGR 10.0%');
    expect(stdout).toContain('index spx-small.csv');
  });

  it('shows the shipped data files by their name inside the package', async () => {
    const { code, stdout } = await run(['replay', '--no-report'], mkdtempSync(join(tmpdir(), 'qts-cli-')));
    expect(code).toBe(0);
    expect(stdout).toContain('\n  index data/sp500-daily.csv\n  VIX   data/vix-daily.csv\n');
  });

  it('--json --report FILE writes the report and says so on stderr, keeping stdout pure JSON', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    const spx = join(fixtures, 'spx-small.csv');
    const vix = join(fixtures, 'vix-small.csv');
    const { code, stdout, stderr } = await run(['replay', '--json', '--report', 'r.html', '--spx', spx, '--vix', vix, '--no-state-file'], cwd);
    expect(code).toBe(0);
    // VIX 31 on 2020-01-06 proposes DEFENSIVE (5 d 21 h in BALANCED: hysteresis passed); VIX 40.5 on
    // 2020-01-07 confirms it.
    expect(JSON.parse(stdout)).toEqual([
      {
        at: '2020-01-07',
        from: 'BALANCED',
        to: 'DEFENSIVE',
        cause: 'RULE',
        reason: 'BALANCED_TO_DEFENSIVE: drawdownPct 0.136364 > 0.1, vix 40.5 > 30, marketCircuitBreaker true = true',
      },
    ]);
    expect(stderr).toBe('Report written to r.html\n');
    expect(readFileSync(join(cwd, 'r.html'), 'utf8')).toContain('2020-01-01 – 2020-01-08');
  });

  it('shows per-lane latency with --intraday', async () => {
    const { code, stdout } = await run(['replay', '--spx', 'spx-small.csv', '--vix', 'vix-small.csv', '--no-report', '--no-state-file', '--intraday', '200'], fixtures);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Lanes \(\d+ synthetic intraday ticks, ~200\/day/);
    expect(stdout).toMatch(/lane +dispatched +handled +dropped +p50 +p99 +max/);
  });
});

describe('bad input: a clear message with file:line and a non-zero exit', () => {
  it('a malformed row', async () => {
    const { code, stdout, stderr } = await run(['replay', '--spx', 'spx-malformed.csv', '--vix', 'vix-small.csv', '--json'], fixtures);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('qts-reactive replay: spx-malformed.csv:3: expected 2 comma-separated fields (observation_date,SP500), got 3: "2020-01-02,101,7"\n');
  });

  it('a non-numeric value', async () => {
    const { code, stderr } = await run(['replay', '--spx', 'spx-nonnumeric.csv', '--vix', 'vix-small.csv', '--no-report'], fixtures);
    expect(code).toBe(1);
    expect(stderr).toContain('spx-nonnumeric.csv:3: SP500: expected the S&P 500 close as a positive number, got "abc"');
  });

  it('a missing file', async () => {
    const { code, stderr } = await run(['replay', '--spx', 'nope.csv', '--no-report'], fixtures);
    expect(code).toBe(1);
    expect(stderr).toBe('qts-reactive replay: nope.csv: expected a readable CSV file, got no such file\n');
  });

  it('files whose dates do not overlap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-cli-'));
    writeFileSync(join(dir, 'vix.csv'), 'DATE,OPEN,HIGH,LOW,CLOSE\n1999-01-04,1,1,1,20\n1999-01-05,1,1,1,21\n');
    const { code, stderr } = await run(['replay', '--spx', join(fixtures, 'spx-small.csv'), '--vix', 'vix.csv', '--no-report'], dir);
    expect(code).toBe(1);
    expect(stderr).toContain('no date has a value in both files');
    expect(stderr).toContain('vix.csv:2-3 (1999-01-04 … 1999-01-05)');
  });

  it('a bad option value or an unknown option exits 2 naming it', async () => {
    const bad = await run(['replay', '--intraday', 'lots'], fixtures);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--intraday: expected a whole number of ticks per day from 0 to 1000000, got "lots"');
    const unknown = await run(['replay', '--frobnicate'], fixtures);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const command = await run(['rewind'], fixtures);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('expected a command (replay), got "rewind"');
  });
});

describe('--help', () => {
  it('documents every option', async () => {
    const { code, stdout } = await run(['replay', '--help'], fixtures);
    expect(code).toBe(0);
    expect(stdout).toBe(REPLAY_HELP);
    for (const option of ['--spx', '--vix', '--json', '--report', '--no-report', '--target-cagr', '--intraday', '--seed', '--state-file', '--no-state-file', '--help']) {
      expect(stdout).toContain(option);
    }
    const top = await run(['--help'], fixtures);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('replay');
  });

  it('parseReplayArgs rejects contradictory options', () => {
    expect(() => parseReplayArgs(['--report', 'x.html', '--no-report'])).toThrow(UsageError);
    expect(parseReplayArgs(['--json'])).toMatchObject({ json: true, report: null, targetCagr: 0.08, intraday: 0, seed: 1 });
    expect(parseReplayArgs([])).toMatchObject({ json: false, report: 'qts-replay-report.html' });
  });
});

const builtCli = join(root, 'dist', 'cli', 'main.js');

describe('the built bin (dist/cli/main.js, as npm start runs it)', () => {
  // The bin runs from the build; a tree without a current one (tests run on their own) is built first.
  beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

  it('runs from any directory on the shipped data and keeps stdout pure JSON', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'qts-bin-'));
    const out = spawnSync(process.execPath, [builtCli, 'replay', '--json', '--no-state-file'], { cwd, encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stderr).toBe('');
    expect(Array.isArray(JSON.parse(out.stdout))).toBe(true);
    expect(readFileSync(builtCli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('exits non-zero with file:line on a malformed CSV', () => {
    const out = spawnSync(process.execPath, [builtCli, 'replay', '--spx', 'spx-malformed.csv', '--vix', 'vix-small.csv'], { cwd: fixtures, encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('spx-malformed.csv:3:');
  });
});
