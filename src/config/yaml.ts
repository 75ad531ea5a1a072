/**
 * YAML text to plain data, keeping each key's and value's line and column (yaml's `LineCounter`)
 * so that a validation error can point at the place it is about.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { ConfigError } from './errors.js';

/** A 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A parsed YAML document: its plain value and where each key path sits in the text. */
export interface YamlSource {
  readonly file: string | null;
  /** The document as plain data; `null` for an empty document. */
  readonly value: unknown;
  /**
   * Position of the key (`'key'`) or of the value (`'value'`) at `path`, or undefined when the
   * document does not contain that path.
   */
  positionOf(path: readonly PropertyKey[], part: 'key' | 'value'): SourcePosition | undefined;
}

/** Removes yaml's own " at line L, column C:" suffix and the excerpt that follows it. */
function reasonOf(message: string): string {
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Parses `text` as one YAML document.
 * @throws {ConfigError} for a syntax error (or a duplicate key), at its line and column
 */
export function parseYaml(text: string, file: string | null): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    const at = lineCounter.linePos(error.pos[0]);
    const reason = reasonOf(error.message);
    throw new ConfigError({
      file,
      line: at.line,
      column: at.col,
      keyPath: '',
      expected: 'valid YAML',
      received: reason,
      detail: `invalid YAML: ${reason}`,
    });
  }
  const value: unknown = document.toJS({ maxAliasCount: 100 });

  function findPair(path: readonly PropertyKey[]): Pair | undefined {
    let node: unknown = document.contents;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (!isMap(node)) return undefined;
      pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (pair === undefined) return undefined;
      node = pair.value;
    }
    return pair;
  }

  function positionOfNode(node: unknown): SourcePosition | undefined {
    const range = (node as Node | null | undefined)?.range;
    if (range === undefined || range === null) return undefined;
    const at = lineCounter.linePos(range[0]);
    return { line: at.line, column: at.col };
  }

  return {
    file,
    value: value === undefined ? null : value,
    positionOf(path, part) {
      if (path.length === 0) return positionOfNode(document.contents) ?? { line: 1, column: 1 };
      const pair = findPair(path);
      if (pair === undefined) return undefined;
      // An empty value (`key:` with nothing after it) has no node of its own: point at the key.
      return part === 'value' ? (positionOfNode(pair.value) ?? positionOfNode(pair.key)) : positionOfNode(pair.key);
    },
  };
}
