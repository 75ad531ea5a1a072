// The crash-restart child: replays a seeded timeline of daily metrics through an
// OperatingStateManager, persisting after every day through a JsonFileStateStore, and resumes from
// the stored snapshot when restarted. Each day's state is appended to a log (one line per day,
// written before the snapshot, so a kill in between repeats that day with the same result).
// Usage: node crash-child.mjs <dist index.js> <dir> <days> <seed> (the store comes from dist/node.js beside it)
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { prng } from './common.mjs';

const [distIndex, dir, daysText, seedText] = process.argv.slice(2);
const lib = await import(pathToFileURL(distIndex).href);
const { JsonFileStateStore } = await import(pathToFileURL(join(dirname(distIndex), 'node.js')).href);
const DAY = 86_400_000;
const days = Number(daysText);
const store = new JsonFileStateStore(join(dir, 'state.json'));
const stored = await store.load();
const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
const startDay = stored === null ? 0 : Math.round(stored.savedAt / DAY) + 1;
scheduler.schedule(() => undefined, startDay * DAY);
scheduler.flush();
const manager = new lib.OperatingStateManager({}, { scheduler, ...(stored === null ? {} : { initial: stored }) });
process.stdout.write(`ready ${startDay}\n`);

/** Day `i`'s metrics: a seeded random walk, the same in every run. */
function metricsOf(i) {
  const random = prng(Number(seedText) * 100_003 + i);
  return {
    drawdownPct: random() * 0.15,
    vix: 10 + random() * 30,
    consecutiveScalpLosses: Math.floor(random() * 8),
    dailyLossPct: random() * 0.03,
    marketCircuitBreaker: random() < 0.01,
    consecutiveProfitableDays: Math.floor(random() * 6),
    cagr: random() * 0.3,
    targetCagr: 0.08,
    capitalGrowthPct: random() * 0.3,
    winRate30d: random(),
  };
}

for (let day = startDay; day < days; day++) {
  if (day > startDay) {
    scheduler.schedule(() => undefined, DAY);
    scheduler.flush();
  }
  const random = prng(Number(seedText) + day);
  if (random() < 0.03) {
    const now = scheduler.now();
    manager.applyOverride({ overrideState: 'DEFENSIVE', overrideReason: 'drill', operatorId: 'op', overrideTime: now, expiryTime: now + 3 * DAY, autoRevertState: 'BALANCED' });
  }
  manager.evaluateTransition(metricsOf(day), random() < 0.02 ? 'WARNING' : 'NORMAL');
  appendFileSync(join(dir, 'log'), `${day} ${manager.currentState} ${manager.getSnapshot().manualOverride}\n`);
  await store.save(manager.getPersistedSnapshot());
}
process.stdout.write('done\n');
