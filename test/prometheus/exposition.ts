/** A small parser of the Prometheus text exposition format (version 0.0.4), for the scrape tests. */

export interface Exposition {
  /** `# TYPE` of each metric family. */
  readonly types: Map<string, string>;
  /** `# HELP` of each metric family. */
  readonly help: Map<string, string>;
  /** Every sample, keyed `name{label="value",…}` with labels sorted by name. */
  readonly samples: Map<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The key of a sample: its name and its labels sorted by name. */
export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** Parses `text`; throws on a line that is neither a comment, blank, nor a sample. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line.startsWith('# HELP ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      help.set(rest.slice(0, space), rest.slice(space + 1));
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    const raw = match[3]!;
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`not a number in: ${line}`);
    samples.set(sampleKey(match[1]!, labels), value);
  }
  return { types, help, samples };
}

/** The value of one sample, or a thrown error naming the missing key. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const key = sampleKey(name, labels);
  const value = exposition.samples.get(key);
  if (value === undefined) throw new Error(`no sample ${key}`);
  return value;
}
