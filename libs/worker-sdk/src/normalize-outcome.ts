import { EvaluatorResultSchema, normalizeResult, type TrialOutcome } from '@apiary/contracts';

/**
 * The metric name a bare number is stored under when the objective's name is not known (a
 * worker does not see experiment configs unless given `objectiveFor`).
 */
export const UNNAMED_OBJECTIVE = 'objective';

/**
 * Validates and normalises an evaluator's value with contracts' `normalizeResult`. With an
 * `objective`, the result must contain it. Without one, a number is stored under
 * {@link UNNAMED_OBJECTIVE} and any non-empty record of finite values (or `{ values, sem }`) is
 * accepted. Throws an Error whose message says what was wrong.
 */
export function normalizeOutcome(raw: unknown, objective?: string): TrialOutcome {
  if (objective !== undefined) return normalizeResult(raw, objective);
  const parsed = EvaluatorResultSchema.safeParse(raw);
  // An invalid value: normalizeResult throws its standard message.
  if (!parsed.success || typeof parsed.data === 'number') return normalizeResult(raw, UNNAMED_OBJECTIVE);
  const r = parsed.data as Record<string, unknown>;
  const values = typeof r['values'] === 'object' && r['values'] !== null ? (r['values'] as Record<string, number>) : (r as Record<string, number>);
  const first = Object.keys(values)[0];
  if (first === undefined) throw new Error('evaluator returned an empty record; expected at least one metric value');
  return normalizeResult(raw, first);
}
