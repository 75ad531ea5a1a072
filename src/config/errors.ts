/**
 * The one error type of configuration loading: where the problem is (file, line, column, key
 * path), what was expected and what came.
 */

/** Where and what a {@link ConfigError} is about. `null` fields are unknown (e.g. a partial from code has no file). */
export interface ConfigErrorInit {
  readonly file?: string | null;
  readonly line?: number | null;
  readonly column?: number | null;
  /** Dotted snake_case key path from the document root, e.g. `event.queues.p1.capacity`; `''` for the document itself. */
  readonly keyPath: string;
  readonly expected: string;
  readonly received: string;
  /** The text after `keyPath: `; defaults to `expected <expected>, got <received>`. */
  readonly detail?: string;
}

/**
 * Thrown when a configuration file, text or partial is invalid. Nothing is applied when it is thrown.
 *
 * The message is one line, `file:line:column key.path: expected …, got …`, e.g.
 * `config/event.yaml:6:17 event.queues.p1.capacity: expected a positive integer, got -5`; the
 * location is left out where it is unknown.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The file as it was named to the loader, or null for text without a name and partials from code. */
  readonly file: string | null;
  /** 1-based line of the offending key or value, or null. */
  readonly line: number | null;
  /** 1-based column of the offending key or value, or null. */
  readonly column: number | null;
  /** Dotted snake_case key path, e.g. `event.queues.p1.capacity`; `''` for the whole document. */
  readonly keyPath: string;
  /** What a valid value looks like, e.g. `a positive integer`. */
  readonly expected: string;
  /** What was found, e.g. `-5`, `"BLOK"`, `nothing`. */
  readonly received: string;

  constructor(init: ConfigErrorInit) {
    const file = init.file ?? null;
    const line = init.line ?? null;
    const column = init.column ?? null;
    const position = line === null ? '' : column === null ? `${line}` : `${line}:${column}`;
    const location = file === null ? position : position === '' ? file : `${file}:${position}`;
    const subject = [location, init.keyPath].filter((part) => part !== '').join(' ');
    const detail = init.detail ?? `expected ${init.expected}, got ${init.received}`;
    super(subject === '' ? detail : `${subject}: ${detail}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.keyPath = init.keyPath;
    this.expected = init.expected;
    this.received = init.received;
  }
}
