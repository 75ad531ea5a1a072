import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperatingStateManager, type OperatingStateSnapshot, type StateTransition } from '../../src/index.js';
import { JsonFileStateStore } from '../../src/node.js';
import { Clock, DAY, STRESS, override } from './fixtures.js';

function managerIn(clock: Clock, initial?: OperatingStateSnapshot) {
  const manager = new OperatingStateManager({}, { scheduler: clock.scheduler, ...(initial ? { initial } : {}) });
  const transitions: StateTransition[] = [];
  manager.transitions$.subscribe((t) => transitions.push(t));
  return { manager, transitions };
}

/** getSnapshot() through JSON, as a process would store it. */
const roundTrip = (snapshot: OperatingStateSnapshot): OperatingStateSnapshot => JSON.parse(JSON.stringify(snapshot)) as OperatingStateSnapshot;

describe('restoring from getSnapshot() keeps every timer', () => {
  it('keeps an active override with its revert state and expiry', () => {
    const clock = new Clock();
    const first = managerIn(clock);
    first.manager.applyOverride(override('DEFENSIVE', 0, 3, 'AGGRESSIVE'));
    clock.at(DAY);
    const restored = managerIn(clock, roundTrip(first.manager.getSnapshot()));
    expect(restored.manager.getSnapshot()).toMatchObject({ currentState: 'DEFENSIVE', manualOverride: true, overrideExpiry: 3 * DAY });
    clock.at(3 * DAY);
    restored.manager.checkOverrideExpiry();
    expect(restored.transitions).toMatchObject([{ from: 'DEFENSIVE', to: 'AGGRESSIVE', at: 3 * DAY, cause: 'EXPIRY' }]);
  });

  it('reverts an override that expired while the process was down, at the first check', () => {
    const clock = new Clock();
    const first = managerIn(clock);
    first.manager.applyOverride(override('DEFENSIVE', 0, 1, 'BALANCED'));
    const stored = roundTrip(first.manager.getSnapshot());
    clock.at(5 * DAY);
    const restored = managerIn(clock, stored);
    restored.manager.checkOverrideExpiry();
    expect(restored.manager.currentState).toBe('BALANCED');
    expect(restored.transitions).toMatchObject([{ cause: 'EXPIRY', at: 5 * DAY }]);
  });

  it('round-trips completely: override, cooldown start, pending confirmation and safety survive', () => {
    const clock = new Clock();
    const first = managerIn(clock);
    clock.at(6 * DAY);
    first.manager.evaluateTransition(STRESS, 'WARNING'); // proposes DEFENSIVE once: a pending confirmation
    first.manager.applyOverride(override('AGGRESSIVE', 6 * DAY, 2, 'DEFENSIVE'));
    clock.at(7 * DAY);
    const restored = managerIn(clock, roundTrip(first.manager.getSnapshot()));
    expect(restored.manager.getSnapshot()).toEqual(first.manager.getSnapshot());
  });
});

describe('JsonFileStateStore: temp files of killed writers', () => {
  it('removes a stale temp file of a dead writer at the next load and save, and keeps the snapshot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qts-stale-'));
    try {
      const path = join(dir, 'state.json');
      const store = new JsonFileStateStore(path);
      const snapshot = managerIn(new Clock()).manager.getPersistedSnapshot();
      await store.save(snapshot);
      // A process that has exited: its pid is free, so its temp files are stale.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      const deadPid = Number(dead.stdout);
      await writeFile(join(dir, `.state.json.${deadPid}.1.tmp`), '{"format": "qts-rea');
      await writeFile(join(dir, `.other.json.${deadPid}.1.tmp`), 'not ours');
      expect(await store.load()).toEqual(snapshot);
      expect((await readdir(dir)).sort()).toEqual(['.other.json.' + deadPid + '.1.tmp', 'state.json']);
      await writeFile(join(dir, `.state.json.${deadPid}.2.tmp`), '{');
      await store.save(snapshot);
      expect((await readdir(dir)).sort()).toEqual(['.other.json.' + deadPid + '.1.tmp', 'state.json']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
