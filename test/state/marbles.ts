/**
 * Builds a marble diagram with values at absolute frames (1 frame = 1 virtual ms), so that tests
 * over virtual days stay readable: `at([[0, 'a'], [DAY, 'b']], 2 * DAY)` is `a 86399999ms b …|`.
 */
export function at(values: readonly (readonly [number, string])[], completeAt?: number): string {
  const parts: string[] = [];
  let frame = 0;
  const items: [number, string][] = values.map(([t, v]) => [t, v]);
  if (completeAt !== undefined) items.push([completeAt, '|']);
  for (const [t, v] of items) {
    if (t < frame) throw new Error(`marble value at ${t} before frame ${frame}`);
    if (t > frame) parts.push(`${t - frame}ms`);
    parts.push(v);
    frame = t + 1;
  }
  return parts.join(' ');
}

/** `count` copies of `letter`, `step` ms apart from `start`. */
export function every(start: number, step: number, letters: string): [number, string][] {
  return [...letters].map((l, i) => [start + i * step, l] as [number, string]);
}
