/**
 * YAML text to plain data, keeping each key's and value's line and column (yaml's `LineCounter`)
 * so that a validation error can point at the place it is about.
 */
import { isMap, isScalar, LineCounter, parseDocument, visit, type Alias, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
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
  // yaml's own unique-key check compares each key with every earlier one (quadratic: 20 000 keys
  // took seconds); duplicates are found below with one Set per mapping instead.
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: false });
  const error = document.errors[0] ?? firstDuplicateKey(document);
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
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml throws a bare ReferenceError for an alias to a missing anchor and for an alias bomb.
    const reason = error instanceof Error ? error.message : String(error);
    const alias = firstAlias(document, reason.startsWith('Unresolved alias'));
    const at = alias?.range === undefined || alias.range === null ? undefined : lineCounter.linePos(alias.range[0]);
    throw new ConfigError({
      file,
      line: at?.line ?? null,
      column: at?.col ?? null,
      keyPath: '',
      expected: 'aliases to earlier anchors, expanding to at most 100 nodes each',
      received: alias === undefined ? reason : `*${alias.source}`,
      detail: `invalid YAML alias${alias === undefined ? '' : ` *${alias.source}`}: ${reason}`,
    });
  }

  // Each mapping's pairs indexed by key on first use, so locating n keys costs O(n), not O(n²).
  const pairIndex = new WeakMap<object, Map<unknown, Pair>>();
  function pairsOf(map: { items: Pair[] }): Map<unknown, Pair> {
    let index = pairIndex.get(map);
    if (index === undefined) {
      index = new Map();
      for (const item of map.items) {
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (!index.has(key)) index.set(key, item);
      }
      pairIndex.set(map, index);
    }
    return index;
  }

  function findPair(path: readonly PropertyKey[]): Pair | undefined {
    let node: unknown = document.contents;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (!isMap(node)) return undefined;
      pair = pairsOf(node).get(segment);
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

/** The first alias of `document` (the first unresolvable one when `unresolved`), for an error position. */
function firstAlias(document: Document, unresolved: boolean): Alias | undefined {
  let found: Alias | undefined;
  visit(document, {
    Alias(_key, alias) {
      if (unresolved && alias.resolve(document) !== undefined) return undefined;
      found = alias;
      return visit.BREAK;
    },
  });
  return found;
}

/** The first key written twice in one mapping, as a yaml-style error (message and position). */
function firstDuplicateKey(document: Document): { pos: [number, number]; message: string } | undefined {
  let found: { pos: [number, number]; message: string } | undefined;
  visit(document, {
    Map(_key, map: YAMLMap) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const range = (pair.key as Node | null)?.range;
        found = { pos: [range?.[0] ?? 0, range?.[1] ?? 0], message: 'Map keys must be unique' };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}
