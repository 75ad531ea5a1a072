// `npm run bench`: runs each benchmark file in its own Node process (after `npm run build`),
// so one contender's heap and JIT state never colour another's figures.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const suites = ['events.mjs', 'cores.mjs', 'dispatcher.mjs', 'nats.mjs'];

console.log(`qts-reactive benchmarks — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);
let failed = false;
for (const suite of suites) {
  const file = join(here, suite);
  if (!existsSync(file)) {
    console.log(`\n(${suite} not present)`);
    continue;
  }
  console.log(`\n=== ${suite} ===`);
  const result = spawnSync(process.execPath, ['--expose-gc', file, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
