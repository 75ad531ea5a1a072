// `npm run reliability`: every reliability script with its full, seeded size, each table printed
// as it appears in docs/reliability.md. `--fast` runs the small sizes the test suite uses.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { table } from './common.mjs';
import { flood, floodHeader, floodRows } from './flood.mjs';
import { faults, faultsHeader, faultsRows } from './faults.mjs';
import { fuzz, fuzzHeader, fuzzRows } from './fuzz.mjs';
import { crashRestart, crashHeader, crashRows } from './crash.mjs';
import { leaks, leaksHeader, leaksRows } from './leaks.mjs';

const fast = process.argv.includes('--fast');
const distIndex = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const lib = await import('../dist/index.js');
const operators = await import('../dist/operators/index.js');
const { main } = await import('../dist/cli/main.js');
const sizes = fast
  ? { floods: [100_000], faults: 100_000, fuzzRuns: 40, kills: 5, days: 60, lifecycles: 100, subscriptions: 1_000 }
  : { floods: [1_000_000, 10_000_000], faults: 1_000_000, fuzzRuns: 1_000, kills: 25, days: 400, lifecycles: 1_000, subscriptions: 10_000 };

console.log(`reliability — node ${process.version}, ${os.cpus().length} CPUs, ${fast ? 'fast sizes' : 'full sizes'}, seeds fixed\n`);
const floods = [];
for (const events of sizes.floods) floods.push(await flood(lib, { events }));
console.log(table('Flood: mixed events from a runaway producer, default lanes, slow handlers', floodHeader, floodRows(floods)));
const faultResult = await faults(lib, { events: sizes.faults });
console.log(table('Handler faults: 5 % of handler calls fail (two handlers per lane, requiresAck on every event)', faultsHeader, faultsRows([faultResult])));
const fuzzResult = await fuzz(lib, main, { runs: sizes.fuzzRuns });
console.log(table(`Fuzzing (fast-check, seed ${fuzzResult.seed}): every input is valid or gets its typed error`, fuzzHeader, fuzzRows(fuzzResult)));
for (const [name, r] of fuzzResult.targets) {
  for (const other of r.others ?? []) console.log(`  other exception in ${name}: ${other}`);
  for (const violation of r.violationsSeen ?? []) console.log(`  model violation in ${name}: ${violation}`);
}
const crash = await crashRestart({ distIndex, kills: sizes.kills, days: sizes.days });
console.log(table('Crash-restart: SIGKILLs of a child persisting through JsonFileStateStore', crashHeader, crashRows([crash])));
const leakResults = await leaks(lib, operators, { lifecycles: sizes.lifecycles, subscriptions: sizes.subscriptions });
console.log(table('Leaks: timers left and heap after GC', leaksHeader, leaksRows(leakResults)));
process.exit(0);
