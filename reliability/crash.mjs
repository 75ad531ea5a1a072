// Crash-restart: a child process persisting an operating-state timeline through
// JsonFileStateStore is SIGKILLed at seeded random moments and restarted until it finishes. The
// timeline it leaves must equal an uninterrupted run's; after every kill the snapshot must load
// (never corrupt), and no temp file may be left behind at the end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prng } from './common.mjs';

const child = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));

/** The log as day → line (a day repeated after a kill keeps its last line). */
function timeline(dir) {
  const byDay = new Map();
  for (const line of readFileSync(join(dir, 'log'), 'utf8').split('\n')) {
    if (line === '') continue;
    byDay.set(Number(line.split(' ')[0]), line);
  }
  return [...byDay.values()].join('\n');
}

/**
 * @param options.distIndex the built library the child imports (its `node.js` beside it gives the store);
 *   kills: SIGKILLs to deliver; days per run; seed
 */
export async function crashRestart({ distIndex, kills, days = 400, seed = 4 }) {
  const { JsonFileStateStore } = await import(pathToFileURL(join(dirname(distIndex), 'node.js')).href);
  const random = prng(seed);
  const reference = mkdtempSync(join(tmpdir(), 'qts-crash-ref-'));
  const crashed = mkdtempSync(join(tmpdir(), 'qts-crash-'));
  try {
    const ref = spawnSync(process.execPath, [child, distIndex, reference, String(days), String(seed)], { encoding: 'utf8' });
    if (ref.status !== 0) throw new Error(`reference run failed: ${ref.stderr}`);
    let killed = 0;
    let restarts = 0;
    let corruptLoads = 0;
    let finished = false;
    const store = new JsonFileStateStore(join(crashed, 'state.json'));
    let delayMs = 40;
    let killedMidSave = 0;
    while (!finished) {
      restarts++;
      const proc = spawn(process.execPath, [child, distIndex, crashed, String(days), String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (c) => (out += c));
      const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
      let timer;
      if (killed < kills) {
        // Kill at a seeded moment once the child has loaded its snapshot and started its days.
        const delay = random() * delayMs;
        proc.stdout.once('data', () => (timer = setTimeout(() => proc.kill('SIGKILL'), delay)));
      }
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (signal === 'SIGKILL') {
        killed++;
        if (readdirSync(crashed).some((name) => name.endsWith('.tmp'))) killedMidSave++;
        try {
          await store.load();
        } catch {
          corruptLoads++;
        }
        continue;
      }
      if (code !== 0 || !out.includes('done')) throw new Error(`child failed: code ${code}`);
      if (killed < kills) {
        // It finished before its kill: start the timeline again, killing sooner.
        rmSync(crashed, { recursive: true, force: true });
        mkdirSync(crashed);
        delayMs /= 2;
        continue;
      }
      finished = true;
    }
    await store.load(); // the next load after the last kill also clears stale temp files
    const leftovers = readdirSync(crashed).filter((name) => name.endsWith('.tmp'));
    return { kills: killed, killedMidSave, restarts, days, corruptLoads, sameTimeline: timeline(crashed) === timeline(reference), staleTempFiles: leftovers.length };
  } finally {
    rmSync(reference, { recursive: true, force: true });
    rmSync(crashed, { recursive: true, force: true });
  }
}

export const crashHeader = ['SIGKILLs', 'killed mid-save (temp file left)', 'restarts', 'days per timeline', 'corrupt snapshot loads', 'timeline equal to uninterrupted', 'stale temp files at the end'];

/** The crash-restart table rows. */
export function crashRows(results) {
  return results.map((r) => [r.kills, r.killedMidSave, r.restarts, r.days, r.corruptLoads, r.sameTimeline ? 'yes' : 'NO', r.staleTempFiles]);
}
