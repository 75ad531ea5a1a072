/**
 * The transition rules as data. Each rule is built from the configuration's thresholds and
 * evaluates to a list of conditions `{ metric, value, op, threshold, met }`, so every cycle can be
 * explained, not only the ones that move the state.
 */
import type { SafetyState } from '../safety/state.js';
import { SAFETY_SEVERITY } from '../safety/state.js';
import { transitionMetricsSchema, type OperatingState, type TransitionMetrics } from './contracts.js';
import type { StateConfig } from './config.js';

/** The four rules, named after the move they make. */
export type RuleName = 'AGGRESSIVE_TO_BALANCED' | 'BALANCED_TO_DEFENSIVE' | 'DEFENSIVE_TO_BALANCED' | 'BALANCED_TO_AGGRESSIVE';

/** What a condition compares: a metric, or the safety state. */
export type ConditionMetric = keyof TransitionMetrics | 'safety';

/** Comparison operators. Metric comparisons are strict; counts and safety severity use `>=`. */
export type ConditionOp = '>' | '<' | '>=' | '=';

/** A threshold taken from another metric of the same cycle (e.g. `cagr > targetCagr`). */
export interface MetricReference {
  readonly metric: keyof TransitionMetrics;
}

/** One condition of a rule, as data. */
export interface RuleCondition {
  readonly metric: ConditionMetric;
  readonly op: ConditionOp;
  readonly threshold: number | boolean | SafetyState | MetricReference;
}

/** A transition rule: fires when ANY or ALL of its conditions hold. */
export interface TransitionRule {
  readonly name: RuleName;
  readonly from: OperatingState;
  readonly to: OperatingState;
  readonly mode: 'ANY' | 'ALL';
  readonly conditions: readonly RuleCondition[];
  /**
   * The rule's own "≥ N days in state" (0 when it has none). Enforced by the hysteresis gate
   * together with the state's minimum duration; the larger wins.
   */
  readonly minDurationDays: number;
}

/** A condition evaluated against one cycle's inputs. */
export interface ConditionResult {
  readonly metric: ConditionMetric;
  readonly value: number | boolean | SafetyState;
  readonly op: ConditionOp;
  readonly threshold: number | boolean | SafetyState;
  readonly met: boolean;
}

/** A rule evaluated against one cycle's inputs. */
export interface RuleEvaluation {
  readonly rule: TransitionRule;
  readonly conditions: readonly ConditionResult[];
  readonly fired: boolean;
}

/**
 * The rules of `config`, grouped by the state they leave, in the order they are checked
 * (in BALANCED the demotion comes before the promotion).
 */
export function buildTransitionRules(config: StateConfig): Readonly<Record<OperatingState, readonly TransitionRule[]>> {
  const t = config.transitions;
  const aggressiveToBalanced: TransitionRule = {
    name: 'AGGRESSIVE_TO_BALANCED',
    from: 'AGGRESSIVE',
    to: 'BALANCED',
    mode: 'ANY',
    minDurationDays: 0,
    conditions: [
      { metric: 'drawdownPct', op: '>', threshold: t.aggressiveToBalanced.drawdownPct },
      { metric: 'vix', op: '>', threshold: t.aggressiveToBalanced.vix },
      { metric: 'consecutiveScalpLosses', op: '>', threshold: t.aggressiveToBalanced.consecutiveScalpLosses },
      { metric: 'dailyLossPct', op: '>', threshold: t.aggressiveToBalanced.dailyLossPct },
    ],
  };
  const balancedToDefensive: TransitionRule = {
    name: 'BALANCED_TO_DEFENSIVE',
    from: 'BALANCED',
    to: 'DEFENSIVE',
    mode: 'ANY',
    minDurationDays: 0,
    conditions: [
      { metric: 'drawdownPct', op: '>', threshold: t.balancedToDefensive.drawdownPct },
      { metric: 'vix', op: '>', threshold: t.balancedToDefensive.vix },
      { metric: 'marketCircuitBreaker', op: '=', threshold: true },
      { metric: 'safety', op: '>=', threshold: 'WARNING' },
    ],
  };
  const defensiveToBalanced: TransitionRule = {
    name: 'DEFENSIVE_TO_BALANCED',
    from: 'DEFENSIVE',
    to: 'BALANCED',
    mode: 'ALL',
    minDurationDays: t.defensiveToBalanced.minDurationDays,
    conditions: [
      { metric: 'drawdownPct', op: '<', threshold: t.defensiveToBalanced.drawdownPct },
      { metric: 'vix', op: '<', threshold: t.defensiveToBalanced.vix },
      { metric: 'consecutiveProfitableDays', op: '>=', threshold: t.defensiveToBalanced.consecutiveProfitableDays },
      { metric: 'safety', op: '=', threshold: 'NORMAL' },
    ],
  };
  const balancedToAggressive: TransitionRule = {
    name: 'BALANCED_TO_AGGRESSIVE',
    from: 'BALANCED',
    to: 'AGGRESSIVE',
    mode: 'ALL',
    minDurationDays: t.balancedToAggressive.minDurationDays,
    conditions: [
      { metric: 'cagr', op: '>', threshold: { metric: 'targetCagr' } },
      { metric: 'vix', op: '<', threshold: t.balancedToAggressive.vix },
      { metric: 'capitalGrowthPct', op: '>', threshold: t.balancedToAggressive.capitalGrowthPct },
      { metric: 'winRate30d', op: '>', threshold: t.balancedToAggressive.winRate30d },
    ],
  };
  return Object.freeze({
    AGGRESSIVE: Object.freeze([aggressiveToBalanced]),
    BALANCED: Object.freeze([balancedToDefensive, balancedToAggressive]),
    DEFENSIVE: Object.freeze([defensiveToBalanced]),
  });
}

function compare(value: number | boolean | SafetyState, op: ConditionOp, threshold: number | boolean | SafetyState): boolean {
  if (typeof value === 'string' && typeof threshold === 'string') {
    // Safety states compare by severity.
    const a = SAFETY_SEVERITY[value as SafetyState];
    const b = SAFETY_SEVERITY[threshold as SafetyState];
    return op === '=' ? a === b : op === '>=' ? a >= b : op === '>' ? a > b : a < b;
  }
  if (op === '=') return value === threshold;
  if (typeof value !== 'number' || typeof threshold !== 'number') return false;
  return op === '>' ? value > threshold : op === '<' ? value < threshold : value >= threshold;
}

/** Evaluates one condition against a cycle's metrics and safety state. */
export function evaluateCondition(condition: RuleCondition, metrics: TransitionMetrics, safety: SafetyState): ConditionResult {
  const value = condition.metric === 'safety' ? safety : metrics[condition.metric];
  const threshold =
    typeof condition.threshold === 'object' ? metrics[condition.threshold.metric] : condition.threshold;
  return { metric: condition.metric, value, op: condition.op, threshold, met: compare(value, condition.op, threshold) };
}

/** Evaluates a rule: every condition, and whether ANY / ALL of them held. */
export function evaluateRule(rule: TransitionRule, metrics: TransitionMetrics, safety: SafetyState): RuleEvaluation {
  const conditions = rule.conditions.map((c) => evaluateCondition(c, metrics, safety));
  const fired = rule.mode === 'ANY' ? conditions.some((c) => c.met) : conditions.every((c) => c.met);
  return { rule, conditions, fired };
}

function formatValue(value: number | boolean | string): string {
  return typeof value === 'number' ? String(Number(value.toPrecision(6))) : String(value);
}

/** One condition as text, e.g. `vix 31.2 > 30`. */
export function describeCondition(c: ConditionResult): string {
  return `${c.metric} ${formatValue(c.value)} ${c.op} ${formatValue(c.threshold)}`;
}

/**
 * The reason a fired rule gives: the conditions that held (for an ANY rule) or all of them (for an
 * ALL rule), e.g. `BALANCED_TO_DEFENSIVE: vix 31.2 > 30`.
 */
export function describeFiredRule(evaluation: RuleEvaluation): string {
  const shown = evaluation.rule.mode === 'ANY' ? evaluation.conditions.filter((c) => c.met) : evaluation.conditions;
  return `${evaluation.rule.name}: ${shown.map(describeCondition).join(', ')}`;
}

const FIELD_EXPECTATIONS: Readonly<Record<keyof TransitionMetrics, string>> = {
  drawdownPct: 'a fraction in [0, 1]',
  vix: 'a number ≥ 0',
  consecutiveScalpLosses: 'a non-negative integer',
  dailyLossPct: 'a fraction in [0, 1]',
  marketCircuitBreaker: 'a boolean',
  consecutiveProfitableDays: 'a non-negative integer',
  cagr: 'a number ≥ -1',
  targetCagr: 'a number ≥ -1',
  capitalGrowthPct: 'a number ≥ -1',
  winRate30d: 'a fraction in [0, 1]',
};

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Thrown for metrics that fail validation; `field` names the offending metric. */
export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  constructor(
    /** The metric, e.g. `vix`, or `metrics` when the whole value is wrong. */
    readonly field: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`metrics.${field}: expected ${expected}, got ${show(got)}`);
  }
}

/**
 * Returns `value` as valid {@link TransitionMetrics}: fractions in [0, 1], VIX ≥ 0, non-negative
 * integer counts, growth ≥ −1, no NaN, no unknown fields.
 * @throws {MetricsError} naming the first offending field
 */
export function parseTransitionMetrics(value: unknown): TransitionMetrics {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MetricsError('metrics', 'an object of transition metrics', value);
  }
  const result = transitionMetricsSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new MetricsError(issue.keys.join(', '), 'one of the ten known metrics (unknown field)', (value as Record<string, unknown>)[issue.keys[0]!]);
  }
  const field = String(issue.path[0]) as keyof TransitionMetrics;
  throw new MetricsError(field, FIELD_EXPECTATIONS[field] ?? issue.message, (value as Record<string, unknown>)[field]);
}
