/**
 * Key spelling: snake_case (YAML) to camelCase (TypeScript), and the nearest known key for a typo.
 */

/** `batch_timeout_ms` → `batchTimeoutMs`, `win_rate_30d` → `winRate30d`, `p0_depth` → `p0Depth`. */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_match, next: string) => next.toUpperCase());
}

/** Lower-cased with `_` and `-` removed, so `batchSize`, `batch-size` and `BATCH_SIZE` compare equal. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

/** Levenshtein distance (insertions, deletions, substitutions, each costing 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known key a mistyped `key` most likely meant, or undefined when none is close.
 * Close means: equal up to case and separators, or within an edit distance of about a third of
 * the key's length (at least 2), or one being a prefix of the other.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = normalizeKey(key);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const normalized = normalizeKey(candidate);
    if (normalized === wanted) return candidate;
    const distance = editDistance(wanted, normalized);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(wanted.length / 3))) return best;
  if (wanted.length >= 3) return known.find((candidate) => normalizeKey(candidate).startsWith(wanted));
  return undefined;
}
