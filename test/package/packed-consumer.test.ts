// A user's project against the packed package: `npm pack`, a consumer project of its own in a
// temporary directory (the tarball unpacked into its node_modules, the peer and runtime
// dependencies linked from this checkout), compiled by tsc in strict mode with
// exactOptionalPropertyTypes and noUncheckedIndexedAccess, then run with node.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const project = mkdtempSync(join(tmpdir(), 'qts-consumer-'));

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noEmitOnError: true,
    types: ['node'],
    outDir: 'out',
  },
  include: ['src'],
};

/** The consumer's own code: what a user of the package writes. */
const CONSUMER = String.raw`
import { NEVER, Subject, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  EventDispatcher,
  EventPriority,
  HandlerFailedError,
  createEvent,
  operatingState$,
  registerEventType,
  type DropRecord,
  type QtsEvent,
} from 'qts-reactive';
import { collapseByType, dropOldest, mergeByPriority } from 'qts-reactive/operators';

declare module 'qts-reactive' {
  interface EventTypeRegistry {
    MY_SIGNAL: { score: number };
  }
}

interface Tick {
  readonly symbol: string;
  readonly price: number;
}

// Compile-time only: a wrong payload and an unknown type do not typecheck.
export function wrongUses(): void {
  // @ts-expect-error the payload of MY_SIGNAL is { score: number }
  createEvent('MY_SIGNAL', { payload: { score: 'high' } });
  // @ts-expect-error not a registered type
  createEvent('NOT_REGISTERED');
}

// Registering a type changes nothing for code that reads payloads through the general event.
export function symbolOf(event: QtsEvent): string | undefined {
  const symbol = event.payload['symbol'];
  return typeof symbol === 'string' ? symbol : undefined;
}

async function genericOperators(): Promise<unknown> {
  const ticks: Tick[] = [{ symbol: 'A', price: 1 }, { symbol: 'B', price: 2 }, { symbol: 'A', price: 3 }];
  const dropped: DropRecord<Tick>[] = [];
  const ready = new Subject<void>();
  const kept$: Observable<Tick> = from(ticks).pipe(dropOldest({ capacity: 2, ready, onDrop: (d) => dropped.push(d) }));
  const kept = lastValueFrom(kept$.pipe(toArray()));
  ready.next();
  ready.next();
  const next = new Subject<void>();
  const latest = lastValueFrom(from(ticks).pipe(collapseByType({ capacity: 5, ready: next, key: (t) => t.symbol }), toArray()));
  next.next();
  next.next();
  const batches = await lastValueFrom(from(ticks).pipe(mergeByPriority({ priorityOf: (t) => (t.price > 2 ? 0 : 3) }), toArray()));
  return {
    kept: await kept,
    dropped: dropped.map((d) => d.event.price),
    latest: (await latest).map((t) => t.price),
    batches: batches.map((batch) => batch.map((t) => t.price)),
  };
}

async function registeredTypeAndAwaitedHandling(): Promise<unknown> {
  registerEventType('MY_SIGNAL', { priority: EventPriority.P2_MEDIUM });
  const dispatcher = new EventDispatcher();
  const scores: number[] = [];
  dispatcher.registerHandler(EventPriority.P2_MEDIUM, (batch) => {
    for (const event of batch) if (event.eventType === 'MY_SIGNAL') scores.push((event as QtsEvent<'MY_SIGNAL'>).payload.score);
  });
  dispatcher.registerHandler(EventPriority.P0_CRITICAL, () => {
    throw new Error('oms rejected the fill');
  });
  await dispatcher.start();
  const signal = createEvent('MY_SIGNAL', { payload: { score: 0.8 } });
  const score: number = signal.payload.score;
  await dispatcher.dispatchAndWait(signal);
  let failure = 'none';
  try {
    await dispatcher.dispatchAndWait(createEvent('FILL_CONFIRMED', { payload: { orderId: 'A1' } }));
  } catch (error) {
    if (error instanceof HandlerFailedError) failure = String((error.failure.error as Error).message);
  }
  await dispatcher.stop();
  return { lane: signal.priority, score, handled: scores, failure };
}

function operatingStateInVirtualTime(): unknown {
  const scheduler = new TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('marbles differ');
  });
  let state = 'unset';
  scheduler.run(({ expectObservable }) => {
    const op = operatingState$({ metrics$: NEVER, safety$: NEVER }, { scheduler, config: { default: 'DEFENSIVE' } });
    expectObservable(op.state$).toBe('d', { d: 'DEFENSIVE' });
    state = op.state$.getValue();
  });
  return { state, terminated: true };
}

const result = {
  generic: await genericOperators(),
  dispatcher: await registeredTypeAndAwaitedHandling(),
  operatingState: operatingStateInVirtualTime(),
};
console.log(JSON.stringify(result));
`;

function link(name: string): void {
  const target = join(root, 'node_modules', name);
  const path = join(project, 'node_modules', name);
  mkdirSync(resolve(path, '..'), { recursive: true });
  symlinkSync(target, path, 'dir');
}

describe('a user project against the packed package (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) execFileSync('npm', ['run', 'build', '--silent'], { cwd: root });
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
    const packageDir = join(project, 'node_modules', 'qts-reactive');
    mkdirSync(packageDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(project, tarball), '-C', packageDir, '--strip-components=1']);
    for (const name of ['rxjs', 'tslib', 'immer', 'yaml', 'zod', '@types/node', 'undici-types']) link(name);
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(project, 'src', 'main.ts'), CONSUMER);
  }, 120_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('compiles with tsc and runs: generic operators, a registered type, dispatchAndWait, operatingState$ in TestScheduler.run', () => {
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const run = spawnSync(process.execPath, [join(project, 'out', 'main.js')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      generic: {
        kept: [
          { symbol: 'B', price: 2 },
          { symbol: 'A', price: 3 },
        ],
        dropped: [1],
        latest: [3, 2],
        batches: [[3], [1, 2]],
      },
      dispatcher: { lane: 2, score: 0.8, handled: [0.8], failure: 'oms rejected the fill' },
      operatingState: { state: 'DEFENSIVE', terminated: true },
    });
  }, 120_000);
});
