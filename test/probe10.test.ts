import { it } from 'vitest';
import { parseEventConfig, parseStateConfig } from '../src/index.js';
it('probe', () => {
  for (const n of [20000, 200000]) {
    const text = 'event:\n' + Array.from({ length: n }, (_, i) => `  k${i}: 1`).join('\n') + '\n';
    const t0 = performance.now();
    try { parseEventConfig(text); } catch (e) { console.log(n, (e as Error).message.slice(0, 100), performance.now() - t0); }
  }
  for (const t of ['event:\n  stop_timeout_ms: *nope\n', 'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n'])
    try { parseStateConfig(t, 'x.yaml'); } catch (e) { console.log((e as Error).name, (e as Error).message); }
});
