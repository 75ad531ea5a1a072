#!/usr/bin/env node
/**
 * The `qts-reactive` command. `qts-reactive replay` replays daily market history through the
 * whole system and reports the operating-state timeline; see `qts-reactive replay --help`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isEntryPoint } from '../common/entryPoint.js';
import { ConfigError } from '../config/errors.js';
import { parseEventConfig } from '../event/config.js';
import { parseStateConfig } from '../state/config.js';
import { ReplayInputError, parseSpxCsv, parseVixCsv } from '../replay/csv.js';
import { DEFAULT_TARGET_CAGR } from '../replay/metrics.js';
import { createSystemPipeline } from '../replay/pipeline.js';
import { renderReport } from '../replay/report.js';
import { runReplay, toTimeline, type PipelineFactory, type ReplayResult } from '../replay/run.js';
import type { DailySeries } from '../replay/csv.js';
import type { EventConfig } from '../event/config.js';
import type { StateConfig } from '../state/config.js';
import { createProgressBar, formatSummary, type ProgressStream } from '../replay/summary.js';
import type { ReplayMetricsEndpoint } from '../replay/metricsEndpoint.js';

/** Where the CLI writes; injectable so tests run `main` in-process. */
export interface CliIo {
  readonly stdout: ProgressStream;
  readonly stderr: ProgressStream;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** Wall clock in ms, only for deciding whether to draw the progress bar. */
  readonly now?: () => number;
  /** The system under replay (default: the full pipeline). */
  readonly pipeline?: PipelineFactory;
}

/** The data shipped in the package, found relative to this module (works from `src/` and `dist/`). */
export const SHIPPED_DATA_DIR = new URL('../../data/', import.meta.url);
/** The example configurations shipped in the package (`docs/examples/`), usable by name. */
export const SHIPPED_EXAMPLES_DIR = new URL('../../docs/examples/', import.meta.url);
/** Default report file name, in the working directory. */
export const DEFAULT_REPORT_FILE = 'qts-replay-report.html';

/** The package's version, from its package.json (found relative to this module). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** What a config option expects, naming the shipped examples. */
function configWhat(): string {
  const examples = readdirSync(SHIPPED_EXAMPLES_DIR).filter((name) => name.endsWith('.yaml')).map((name) => name.slice(0, -'.yaml'.length));
  return `YAML file or the name of a shipped example (${examples.join(', ')})`;
}

/** A configuration file: its path to read, and the name shown in messages. */
interface ConfigFile {
  readonly path: string;
  readonly shown: string;
}

/**
 * `--event-config` / `--state-config`: a file relative to the working directory, else (a bare name
 * such as `replay-small-lanes` or `replay-small-lanes.yaml`) an example shipped in `docs/examples/`,
 * shown by its package-relative name. A name that is neither is left to fail as a missing file.
 */
export function resolveConfigFile(given: string, cwd: string): ConfigFile {
  const path = resolve(cwd, given);
  if (existsSync(path) || basename(given) !== given) return { path, shown: given };
  for (const name of given.endsWith('.yaml') ? [given] : [given, `${given}.yaml`]) {
    const shipped = fileURLToPath(new URL(name, SHIPPED_EXAMPLES_DIR));
    if (existsSync(shipped)) return { path: shipped, shown: `docs/examples/${name}` };
  }
  return { path, shown: given };
}

/** Thrown for a command line that cannot be run; the message says which option and why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `qts-reactive --help`. */
export const MAIN_HELP = `Usage: qts-reactive <command> [options]

Commands:
  replay    Replay daily S&P 500 and VIX history through the event lanes and the
            operating-state manager; print the state timeline and write an HTML report.

Options:
  -h, --help     Show this help.
  -v, --version  Print the version.

Run 'qts-reactive replay --help' for the replay's options.
`;

/** `qts-reactive replay --help`: every option. */
export const REPLAY_HELP = `Usage: qts-reactive replay [options]

Replays daily market history through the whole system on a virtual clock: each trading
day becomes INDEX_UPDATE and VIX_UPDATE (P1), RISK_EVALUATE and ETEDA_CYCLE_START (P2),
DASHBOARD_UPDATE and LOG_WRITE (P3), with one evaluation cycle at 21:00 UTC. The state
starts BALANCED on the first common date. Without --spx/--vix it uses the data shipped
with the package (S&P 500 2016-2026, CBOE VIX).

Options:
  --spx FILE          S&P 500 daily CSV: header 'observation_date,SP500' (a 'Close'
                      column is accepted too); rows with an empty close are skipped
                      and counted.  Default: the shipped data/sp500-daily.csv
  --vix FILE          VIX daily CSV: header 'DATE,OPEN,HIGH,LOW,CLOSE'; the CLOSE is
                      read.  Default: the shipped data/vix-daily.csv
  --json              Print only the transitions as JSON on stdout:
                      [{ "at": "YYYY-MM-DD", "from", "to", "cause", "reason" }].
                      No report is written unless --report is given.
  --report FILE       Write the self-contained HTML report to FILE.
                      Default: ${DEFAULT_REPORT_FILE} in the working directory.
  --no-report         Do not write the HTML report.
  --target-cagr X     Target CAGR of the BALANCED -> AGGRESSIVE rule, as a fraction
                      (0.08 = 8 %/year).  Default: ${DEFAULT_TARGET_CAGR}
  --intraday N        Add about N synthetic ticks per trading day (PRICE_TICK on P1 and
                      DASHBOARD_UPDATE on P3), in bursts scaled by that day's VIX; the
                      summary then shows per-lane handled / dropped / latency.  Default: 0
  --seed N            Seed of the synthetic tick generator (same seed, same run).
                      Default: 1
  --event-config FILE A YAML file with an 'event:' block (lane capacities, policies,
                      batching), deep-merged over the shipped config/event.yaml. P2
                      always delivers at once so each cycle runs at 21:00 UTC.
                      A bare name not found in the working directory names an
                      example shipped in the package's docs/examples/, e.g.
                      --event-config replay-small-lanes
  --state-config FILE A YAML file with an 'operating_state:' block (thresholds,
                      hysteresis, cooldown, confirmation), deep-merged over the
                      shipped config/state.yaml; bare names as for --event-config.
  --state-file FILE   Persist the operating state through the file state store at
                      FILE (rewritten from the initial state on every run).
                      Default: none, the state is kept in memory only.
  --no-state-file     Keep the operating state in memory only (the default).
  --metrics-port PORT Serve Prometheus metrics of the lanes and the operating state at
                      http://127.0.0.1:PORT/metrics while the replay runs (0 picks a
                      free port; needs the optional peer dependency prom-client).
  --nats URL          Run across processes on NATS JetStream at URL (e.g.
                      nats://127.0.0.1:4222): the days are published onto the lanes,
                      worker processes share the lanes and the operating state (a KV
                      key); the state file is not used. Needs the @nats-io packages.
  --workers N         Worker processes with --nats.  Default: 3
  --kill-worker-at D  With --nats: SIGKILL a worker right after publishing the first
                      trading day on or after date D (YYYY-MM-DD), and start a
                      replacement.
  -h, --help          Show this help.

Exit status: 0 on success, 1 on bad input (the message names file:line), 2 on a bad
command line.
`;

interface ReplayArgs {
  spx: string | null;
  vix: string | null;
  json: boolean;
  report: string | null;
  targetCagr: number;
  intraday: number;
  seed: number;
  stateFile: string | null;
  eventConfig: string | null;
  stateConfig: string | null;
  metricsPort: number | null;
  nats: { url: string; workers: number; killWorkerAt: string | null } | null;
}

function parseNumber(option: string, text: string, check: (n: number) => boolean, expected: string): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || !check(value)) throw new UsageError(`--${option}: expected ${expected}, got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Parses the replay's options.
 * @throws {UsageError} naming the option, what was expected and what came
 */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        spx: { type: 'string' },
        vix: { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        'no-report': { type: 'boolean' },
        'target-cagr': { type: 'string' },
        intraday: { type: 'string' },
        seed: { type: 'string' },
        'state-file': { type: 'string' },
        'no-state-file': { type: 'boolean' },
        'event-config': { type: 'string' },
        'state-config': { type: 'string' },
        'metrics-port': { type: 'string' },
        nats: { type: 'string' },
        workers: { type: 'string' },
        'kill-worker-at': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help === true) return 'help';
  if (v['metrics-port'] !== undefined && v.nats !== undefined) throw new UsageError('--metrics-port and --nats: expected one of them, got both (the endpoint serves the in-process replay)');
  if (v['no-report'] === true && v.report !== undefined) throw new UsageError('--report and --no-report: expected one of them, got both');
  if (v['no-state-file'] === true && v['state-file'] !== undefined) throw new UsageError('--state-file and --no-state-file: expected one of them, got both');
  const json = v.json === true;
  return {
    spx: v.spx ?? null,
    vix: v.vix ?? null,
    json,
    report: v['no-report'] === true ? null : (v.report ?? (json ? null : DEFAULT_REPORT_FILE)),
    targetCagr: v['target-cagr'] === undefined ? DEFAULT_TARGET_CAGR : parseNumber('target-cagr', v['target-cagr'], (n) => n >= -1, 'a fraction ≥ -1 such as 0.08'),
    intraday: v.intraday === undefined ? 0 : parseNumber('intraday', v.intraday, (n) => Number.isInteger(n) && n >= 0 && n <= 1_000_000, 'a whole number of ticks per day from 0 to 1000000'),
    seed: v.seed === undefined ? 1 : parseNumber('seed', v.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'a whole number from 0 to 4294967295'),
    stateFile: v['state-file'] ?? null,
    eventConfig: v['event-config'] ?? null,
    stateConfig: v['state-config'] ?? null,
    metricsPort: v['metrics-port'] === undefined ? null : parseNumber('metrics-port', v['metrics-port'], (n) => Number.isInteger(n) && n >= 0 && n <= 65_535, 'a TCP port from 0 to 65535'),
    nats: parseNatsArgs(v.nats, v.workers, v['kill-worker-at'], v.intraday),
  };
}

function parseNatsArgs(url: string | undefined, workers: string | undefined, killAt: string | undefined, intraday: string | undefined): ReplayArgs['nats'] {
  if (url === undefined) {
    if (workers !== undefined || killAt !== undefined) throw new UsageError(`--${workers !== undefined ? 'workers' : 'kill-worker-at'}: expected --nats URL with it, got no --nats`);
    return null;
  }
  if (!/^(nats|tls):\/\/[^\s/]+$/.test(url)) throw new UsageError(`--nats: expected a server URL such as nats://127.0.0.1:4222, got ${JSON.stringify(url)}`);
  if (intraday !== undefined && intraday !== '0') throw new UsageError('--intraday and --nats: expected one of them, got both');
  if (killAt !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(killAt)) throw new UsageError(`--kill-worker-at: expected a date YYYY-MM-DD, got ${JSON.stringify(killAt)}`);
  return {
    url,
    workers: workers === undefined ? 3 : parseNumber('workers', workers, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'a whole number of workers from 1 to 64'),
    killWorkerAt: killAt ?? null,
  };
}

async function readInput<T>(path: string, shown: string, what: string, parse: (text: string, file: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReplayInputError(shown, null, code === 'ENOENT' ? `expected a readable ${what}, got no such file` : `expected a readable ${what}, got ${code ?? (error as Error).message}`);
  }
  return parse(text, shown);
}

async function replay(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseReplayArgs(argv);
  if (args === 'help') {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  const shipped = (name: string): string => fileURLToPath(new URL(name, SHIPPED_DATA_DIR));
  const spxPath = args.spx === null ? shipped('sp500-daily.csv') : resolve(io.cwd, args.spx);
  const vixPath = args.vix === null ? shipped('vix-daily.csv') : resolve(io.cwd, args.vix);
  const eventFile = args.eventConfig === null ? null : resolveConfigFile(args.eventConfig, io.cwd);
  const stateFile = args.stateConfig === null ? null : resolveConfigFile(args.stateConfig, io.cwd);
  // Shipped files are shown by their name inside the package.
  const [spx, vix, eventConfig, stateConfig] = await Promise.all([
    readInput(spxPath, args.spx ?? 'data/sp500-daily.csv', 'CSV file', parseSpxCsv),
    readInput(vixPath, args.vix ?? 'data/vix-daily.csv', 'CSV file', parseVixCsv),
    eventFile === null ? null : readInput(eventFile.path, eventFile.shown, configWhat(), parseEventConfig),
    stateFile === null ? null : readInput(stateFile.path, stateFile.shown, configWhat(), parseStateConfig),
  ]);
  const metrics = args.metricsPort === null ? null : await openMetricsEndpoint(args.metricsPort, io);
  const now = io.now ?? (() => performance.now());
  const progress = createProgressBar(io.stderr, now);
  let result;
  try {
    result = args.nats !== null ? await runClusterReplayLazily(args, { spx, vix, eventConfig, stateConfig }, progress, io) : await runReplay({
      spx,
      vix,
      pipeline: metrics?.wrap(io.pipeline ?? createSystemPipeline) ?? io.pipeline ?? createSystemPipeline,
      targetCagr: args.targetCagr,
      intradayTicksPerDay: args.intraday,
      seed: args.seed,
      stateFile: args.stateFile === null ? null : resolve(io.cwd, args.stateFile),
      eventConfig,
      stateConfig,
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.finish();
    await metrics?.close();
  }
  if (args.json) {
    io.stdout.write(`${JSON.stringify(toTimeline(result.transitions), null, 2)}\n`);
  } else {
    io.stdout.write(formatSummary(result));
  }
  if (args.report !== null) {
    const reportPath = resolve(io.cwd, args.report);
    await writeFile(reportPath, renderReport(result, { generatedBy: 'qts-reactive replay' }), 'utf8');
    (args.json ? io.stderr : io.stdout).write(`${args.json ? '' : '\n'}Report written to ${args.report}\n`);
  }
  return 0;
}

/** Opens the replay's metrics endpoint; prom-client is loaded only here. */
async function openMetricsEndpoint(port: number, io: CliIo): Promise<ReplayMetricsEndpoint> {
  const module = await import('../replay/metricsEndpoint.js').catch((error: unknown) => {
    throw new UsageError(`--metrics-port: expected the optional peer dependency prom-client 15 to be installed, got ${(error as Error).message}`);
  });
  const endpoint = await module.openReplayMetrics(port);
  io.stderr.write(`Prometheus metrics at ${endpoint.url} while the replay runs\n`);
  return endpoint;
}

/** The cluster replay, loaded only when asked for: without --nats the NATS packages are never imported. */
async function runClusterReplayLazily(
  args: ReplayArgs,
  inputs: { spx: DailySeries; vix: DailySeries; eventConfig: EventConfig | null; stateConfig: StateConfig | null },
  progress: { update(done: number, total: number): void },
  io: CliIo,
): Promise<ReplayResult> {
  const { runClusterReplay } = await import('../nats/replay/coordinator.js');
  const result = await runClusterReplay({
    url: args.nats!.url,
    workers: args.nats!.workers,
    killWorkerAt: args.nats!.killWorkerAt,
    ...inputs,
    targetCagr: args.targetCagr,
    onProgress: (done, total) => progress.update(done, total),
  });
  const { cluster } = result;
  if (!args.json) {
    const kill = cluster.killedAt === null ? 'no worker killed' : `a worker SIGKILLed after ${cluster.killedAt}, the next cycle in the shared state ${Math.round(cluster.failoverMs ?? 0)} ms later`;
    io.stderr.write(`cluster: ${cluster.workers} workers on ${args.nats!.url}, ${kill}\n`);
  }
  return result;
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves to the exit status.
 * Messages for bad input go to `io.stderr`; nothing is thrown for them.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v') {
      io.stdout.write(`${packageVersion()}\n`);
      return 0;
    }
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      (command === undefined ? io.stderr : io.stdout).write(MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'replay') throw new UsageError(`expected a command (replay), got ${JSON.stringify(command)}`);
    return await replay(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`qts-reactive: ${error.message}\nRun 'qts-reactive ${command === 'replay' ? 'replay ' : ''}--help' for usage.\n`);
      return 2;
    }
    if (error instanceof ReplayInputError || error instanceof ConfigError) {
      io.stderr.write(`qts-reactive replay: ${error.message}\n`);
      return 1;
    }
    const e = error as Error;
    io.stderr.write(`qts-reactive: ${e.name}: ${e.message}\n`);
    return 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
  process.exitCode = code;
}
