/**
 * zod building blocks for configuration documents. Every leaf carries, as its description, the
 * "expected …" text of its error message, and the walker below finds a schema by key path, so an
 * error can say what the key wanted and which keys its mapping knows.
 */
import { z } from 'zod';

/** Any zod schema. */
export type AnySchema = z.core.$ZodType;

interface WrapperDef {
  readonly type: string;
  readonly innerType?: AnySchema;
  readonly in?: AnySchema;
  readonly shape?: Readonly<Record<string, AnySchema>>;
  readonly valueType?: AnySchema;
}

function defOf(schema: AnySchema): WrapperDef {
  return schema._zod.def as unknown as WrapperDef;
}

/** The schema inside nullable / optional / default / readonly / pipe wrappers. */
function innerOf(schema: AnySchema): AnySchema | undefined {
  const def = defOf(schema);
  if (def.innerType !== undefined) return def.innerType;
  if (def.type === 'pipe') return def.in;
  return undefined;
}

/** The shape of the object schema `schema` wraps, or undefined when it is not one. */
export function shapeOf(schema: AnySchema): Readonly<Record<string, AnySchema>> | undefined {
  for (let current: AnySchema | undefined = schema; current !== undefined; current = innerOf(current)) {
    const def = defOf(current);
    if (def.type === 'object') return def.shape;
  }
  return undefined;
}

/** The schema of every value of the record (free-keyed mapping) schema `schema` wraps, or undefined when it is not one. */
export function recordValuesOf(schema: AnySchema): AnySchema | undefined {
  for (let current: AnySchema | undefined = schema; current !== undefined; current = innerOf(current)) {
    const def = defOf(current);
    if (def.type === 'record') return def.valueType;
  }
  return undefined;
}

/** The schema of the value at `path` under `root`, or undefined when `path` is not a known key path. */
export function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
  let schema: AnySchema = root;
  for (const segment of path) {
    const shape = shapeOf(schema);
    const values = shape === undefined ? recordValuesOf(schema) : undefined;
    if (values !== undefined && typeof segment === 'string') {
      schema = values;
      continue;
    }
    if (shape === undefined || typeof segment !== 'string' || !Object.hasOwn(shape, segment)) return undefined;
    schema = shape[segment]!;
  }
  return schema;
}

/** The "expected …" text of a schema: its own description, or that of the schema it wraps. */
export function expectedOf(schema: AnySchema | undefined): string {
  for (let current = schema; current !== undefined; current = innerOf(current)) {
    const description = z.globalRegistry.get(current)?.description;
    if (description !== undefined) return description;
  }
  return schema !== undefined && shapeOf(schema) !== undefined ? 'a mapping' : 'a valid value';
}

/** A mapping with exactly these keys (an unknown key is an error). */
export function section<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape).describe(`a mapping with the keys ${Object.keys(shape).join(', ')}`);
}

/** An integer ≥ 1. */
export function positiveInteger() {
  return z.number().int().positive().describe('a positive integer');
}

/** An integer in [1, `max`]; `why` says what the bound protects, for the error message. */
export function positiveIntegerAtMost(max: number, why: string) {
  return z.number().int().positive().max(max).describe(`a positive integer <= ${max} (${why})`);
}

/** An integer ≥ 0. */
export function nonNegativeInteger() {
  return z.number().int().nonnegative().describe('a non-negative integer');
}

/** A finite number ≥ 0, in `unit` (e.g. `milliseconds`). */
export function nonNegativeNumber(unit?: string) {
  return z.number().nonnegative().describe(unit === undefined ? 'a number >= 0' : `a number of ${unit} >= 0`);
}

/** A finite number > 0, in `unit` (e.g. `milliseconds`). */
export function positiveNumber(unit?: string) {
  return z.number().positive().describe(unit === undefined ? 'a number > 0' : `a number of ${unit} > 0`);
}

/** A fraction in [0, 1] (0.05 = 5 %). */
export function fraction() {
  return z.number().min(0).max(1).describe('a fraction in [0, 1]');
}

/** A fraction in (0, 1]: a ratio or rate that must admit something. */
export function positiveFraction() {
  return z.number().gt(0).max(1).describe('a fraction in (0, 1]');
}

/** A growth rate as a fraction, ≥ −1 (a total loss) and unbounded above. */
export function growthRate() {
  return z.number().min(-1).describe('a fraction >= -1');
}

/** One of the given strings. */
export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values).describe(`one of ${values.join(', ')}`);
}
