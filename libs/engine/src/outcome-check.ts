import type { ExperimentConfig, TrialOutcome } from '@apiary/contracts';
import type { TrialCounts } from './store/store.js';

/** Finished trials needed before the failure rate can fail an experiment (as DESIGN.md's configs say). */
export const MIN_FINISHED_FOR_FAILURE_RATE = 5;

/** A result checked against an experiment: the outcome to record, or why the trial fails. */
export type CheckedOutcome = { ok: true; outcome: TrialOutcome; dropped: string[] } | { ok: false; reason: string };

/**
 * Checks a reported result: the objective and every outcome-constraint metric must be present
 * and finite (else the trial fails with the reason). Other metrics, and standard errors, that are
 * not finite numbers are dropped (they are named in `dropped`), since they cannot be stored.
 */
export function checkOutcome(outcome: unknown, config: ExperimentConfig): CheckedOutcome {
  const values = (outcome as { values?: unknown } | null)?.values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return { ok: false, reason: `malformed result: expected { values: { metric: number } }, got ${preview(outcome)}` };
  }
  const raw = values as Record<string, unknown>;
  const required = [
    { name: config.objective.name, role: 'the objective' },
    ...config.outcomeConstraints.map((c) => ({ name: c.metric, role: 'an outcome-constraint metric' })),
  ];
  const problems: string[] = [];
  for (const { name, role } of required) {
    const v = raw[name];
    if (v === undefined) problems.push(`no '${name}' (${role})`);
    else if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`'${name}' (${role}) is ${preview(v)}, not a finite number`);
  }
  if (problems.length > 0) {
    const reported = Object.keys(raw);
    return { ok: false, reason: `result has ${problems.join('; ')}; it reported ${reported.length > 0 ? reported.join(', ') : 'no metrics'}` };
  }
  const dropped: string[] = [];
  const finite = (rec: Record<string, unknown>, what: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
      else dropped.push(`${what} '${k}'`);
    }
    return out;
  };
  const checked: TrialOutcome = { values: finite(raw, 'metric') };
  const sem = (outcome as { sem?: unknown }).sem;
  if (typeof sem === 'object' && sem !== null && !Array.isArray(sem)) checked.sem = finite(sem as Record<string, unknown>, 'sem of');
  return { ok: true, outcome: checked, dropped };
}

/**
 * Why an experiment fails, or null: more than `maxFailureRate` of the finished (completed or
 * failed) trials failed, once at least {@link MIN_FINISHED_FOR_FAILURE_RATE} finished. Abandoned
 * trials were withdrawn by the scheduler and do not count.
 * @example "12 of 20 trials failed (60% > 50%); last error: evaluator returned NaN"
 */
export function failureRateReason(counts: TrialCounts, maxFailureRate: number, lastError: string | undefined): string | null {
  const failed = counts.FAILED;
  const finished = counts.COMPLETED + failed;
  if (finished < MIN_FINISHED_FOR_FAILURE_RATE || failed / finished <= maxFailureRate) return null;
  const rate = `${percent(failed / finished)} > ${percent(maxFailureRate)}`;
  return `${failed} of ${finished} trials failed (${rate})${lastError ? `; last error: ${lastError}` : ''}`;
}

function percent(x: number): string {
  return `${Number((x * 100).toFixed(1))}%`;
}

function preview(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
  } catch {
    return typeof v;
  }
}
