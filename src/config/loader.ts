/**
 * The one loader behind every configuration file: YAML (or a camelCase partial from code) →
 * deep-merged over the shipped defaults → validated (shape by zod, then cross-field checks) →
 * camelCased and deeply frozen. The first problem in the file is thrown as a {@link ConfigError};
 * nothing is applied before the whole document has passed.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { describeValue } from '../common/describe.js';
import { nearestKey, snakeToCamel } from './keys.js';
import { deepFreeze, isPlainRecord } from '../common/plain.js';
import { camelizeKeys, deepMerge } from './merge.js';
import { expectedOf, recordValuesOf, schemaAt, shapeOf, type AnySchema } from './schema.js';
import { parseYaml, type SourcePosition } from './yaml.js';

/** One problem found by a cross-field check: the full snake_case key path, what was expected and what came. */
export interface ConfigProblem {
  readonly path: readonly string[];
  readonly expected: string;
  readonly received: string;
}

/**
 * One cross-field problem, stated from the side of each key involved (e.g. an alert threshold
 * too high for its lane, or the lane too small for its thresholds). The first statement whose key
 * the caller wrote is reported, so the message points at the line they changed.
 */
export type CrossFieldProblem = readonly [ConfigProblem, ...ConfigProblem[]];

/** What a configuration file is: its root key, its schema, its cross-field checks and its shipped defaults. */
export interface ConfigSpec<Block> {
  /** The document's single top-level key, e.g. `event`; it starts every key path. */
  readonly rootKey: string;
  /** zod schema of the block under the root key, snake_case, every key required. */
  readonly schema: z.ZodType<Block>;
  /** Checks across keys, run once the shape is valid; returns every problem found. */
  readonly crossCheck: (block: Block) => readonly CrossFieldProblem[];
  /** The shipped defaults: the text of the file and its name in the package (e.g. `config/event.yaml`). */
  readonly shipped: { readonly text: string; readonly file: string };
}

/** Loads, parses and resolves one kind of configuration. Every result is validated and deeply frozen. */
export interface ConfigLoader<Config> {
  /** The shipped defaults, read once on first use. */
  defaults(): Config;
  /** A YAML text (a partial document) deep-merged over the defaults. */
  parse(text: string, fileName?: string): Config;
  /** A camelCase partial from code deep-merged over the defaults. */
  resolve(partial?: unknown): Config;
}

/** Where a document came from, for positions and for "did the caller write this key". */
interface Origin {
  readonly file: string | null;
  has(path: readonly PropertyKey[]): boolean;
  positionOf(path: readonly PropertyKey[], part: 'key' | 'value'): SourcePosition | undefined;
}

interface Candidate {
  readonly path: readonly PropertyKey[];
  readonly part: 'key' | 'value';
  readonly expected: string;
  readonly received: string;
  /** The message after the key path, when not `expected …, got …`; a function is called only for the reported problem. */
  readonly detail?: string | (() => string);
}

function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const segment of path) {
    if (!isPlainRecord(value) || typeof segment !== 'string' || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

function unknownKeyCandidate(parentPath: readonly PropertyKey[], key: string, known: readonly string[]): Candidate {
  return {
    path: [...parentPath, key],
    part: 'key',
    expected: `one of ${known.join(', ')}`,
    received: JSON.stringify(key),
    detail: () => {
      const suggestion = nearestKey(key, known);
      return suggestion === undefined ? `unknown key; expected one of ${known.join(', ')}` : `unknown key; did you mean "${suggestion}"?`;
    },
  };
}

function positionOfCandidate(candidate: Candidate, origin: Origin): SourcePosition | undefined {
  let position = origin.positionOf(candidate.path, candidate.part);
  // A key the caller did not write (a default): point at its nearest written ancestor.
  for (let depth = candidate.path.length - 1; position === undefined && depth >= 0; depth--) {
    position = origin.positionOf(candidate.path.slice(0, depth), 'key');
  }
  return position;
}

function toConfigError(candidate: Candidate, origin: Origin, position = positionOfCandidate(candidate, origin)): ConfigError {
  const detail = typeof candidate.detail === 'function' ? candidate.detail() : candidate.detail;
  return new ConfigError({
    file: origin.file,
    line: position?.line ?? null,
    column: position?.column ?? null,
    keyPath: candidate.path.join('.'),
    expected: candidate.expected,
    received: candidate.received,
    ...(detail === undefined ? {} : { detail }),
  });
}

/**
 * The error for the problem that comes first in the text (or first found, without a text). Only
 * that one is built: thousands of unknown keys cost one error, not one each.
 */
function firstError(candidates: readonly Candidate[], origin: Origin): ConfigError {
  const rank = (position: SourcePosition | undefined) => (position === undefined ? Infinity : position.line * 1e6 + position.column);
  let first = candidates[0]!;
  let firstPosition = positionOfCandidate(first, origin);
  for (let i = 1; i < candidates.length; i++) {
    const position = positionOfCandidate(candidates[i]!, origin);
    if (rank(position) < rank(firstPosition)) {
      first = candidates[i]!;
      firstPosition = position;
    }
  }
  return toConfigError(first, origin, firstPosition);
}

/** Builds the loader for one configuration file. `Config` is the camelCased block. */
export function createConfigLoader<Block, Config>(spec: ConfigSpec<Block>): ConfigLoader<Config> {
  const { rootKey } = spec;
  const rootSchema = z.strictObject({ [rootKey]: spec.schema }).describe(`a mapping with the key ${rootKey}`);
  let shipped: { readonly document: unknown; readonly config: Config } | undefined;

  function validate(document: unknown, origin: Origin): Config {
    const result = rootSchema.safeParse(document);
    const candidates: Candidate[] = [];
    if (!result.success) {
      for (const issue of result.error.issues) {
        if (issue.code === 'unrecognized_keys') {
          const known = Object.keys(shapeOf(schemaAt(rootSchema, issue.path) ?? rootSchema) ?? {});
          for (const key of issue.keys) candidates.push(unknownKeyCandidate(issue.path, key, known));
        } else {
          candidates.push({
            path: issue.path,
            part: 'value',
            expected: expectedOf(schemaAt(rootSchema, issue.path)),
            received: describeValue(valueAt(document, issue.path)),
          });
        }
      }
      throw firstError(candidates, origin);
    }
    const block = (result.data as Record<string, unknown>)[rootKey] as Block;
    for (const statements of spec.crossCheck(block)) {
      const chosen = statements.find((statement) => origin.has(statement.path)) ?? statements[0];
      candidates.push({ path: chosen.path, part: 'value', expected: chosen.expected, received: chosen.received });
    }
    if (candidates.length > 0) throw firstError(candidates, origin);
    return deepFreeze(camelizeKeys(block)) as Config;
  }

  function parseSource(text: string, file: string | null, base: unknown): { document: unknown; config: Config } {
    const source = parseYaml(text, file);
    // An empty document overrides nothing.
    const written = source.value === null ? {} : source.value;
    const document = base === undefined ? written : deepMerge(base, written);
    const origin: Origin = {
      file,
      has: (path) => source.positionOf(path, 'key') !== undefined,
      positionOf: (path, part) => source.positionOf(path, part),
    };
    return { document, config: validate(document, origin) };
  }

  function shippedDefaults(): { readonly document: unknown; readonly config: Config } {
    if (shipped === undefined) {
      const { document, config } = parseSource(spec.shipped.text, spec.shipped.file, undefined);
      shipped = { document: deepFreeze(document), config };
    }
    return shipped;
  }

  /** camelCase keys of a partial from code → the schema's snake_case keys; unknown keys are errors. */
  function toSnakeCase(value: unknown, schema: AnySchema, path: readonly string[]): unknown {
    const shape = shapeOf(schema);
    const values = shape === undefined ? recordValuesOf(schema) : undefined;
    if (values !== undefined && isPlainRecord(value)) {
      // A free-keyed mapping (e.g. event_types): its keys are names, kept as written.
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toSnakeCase(inner, values, [...path, key])]));
    }
    if (shape === undefined || !isPlainRecord(value)) return value;
    const byCamelKey = new Map(Object.keys(shape).map((key) => [snakeToCamel(key), key]));
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner === undefined) continue;
      const snakeKey = byCamelKey.get(key);
      if (snakeKey === undefined) {
        throw toConfigError(unknownKeyCandidate(path, key, [...byCamelKey.keys()]), codeOrigin({}));
      }
      out[snakeKey] = toSnakeCase(inner, shape[snakeKey]!, [...path, snakeKey]);
    }
    return out;
  }

  function codeOrigin(written: unknown): Origin {
    return { file: null, has: (path) => valueAt(written, path) !== undefined, positionOf: () => undefined };
  }

  return {
    defaults: () => shippedDefaults().config,
    parse(text, fileName) {
      return parseSource(text, fileName ?? null, shippedDefaults().document).config;
    },
    resolve(partial) {
      const defaults = shippedDefaults();
      if (partial === undefined || partial === defaults.config) return defaults.config;
      if (!isPlainRecord(partial)) {
        throw new ConfigError({ keyPath: rootKey, expected: 'a mapping', received: describeValue(partial) });
      }
      const written = { [rootKey]: toSnakeCase(partial, spec.schema, [rootKey]) };
      if (Object.keys(written[rootKey] as object).length === 0) return defaults.config;
      return validate(deepMerge(defaults.document, written), codeOrigin(written));
    },
  };
}
