import { z } from 'zod';

/**
 * Trial states (DESIGN.md): CANDIDATE → QUEUED → RUNNING → COMPLETED | FAILED | ABANDONED, and
 * STALE while its worker has gone silent (the job's lock expired; BullMQ will retry it).
 */
export const TRIAL_STATUSES = ['CANDIDATE', 'QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'ABANDONED', 'STALE'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];
/** States a trial never leaves. */
export const TERMINAL_TRIAL_STATUSES: readonly TrialStatus[] = ['COMPLETED', 'FAILED', 'ABANDONED'];

export const ParameterValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type ParameterValues = z.infer<typeof ParameterValuesSchema>;

/** What a trial job carries to a worker: ids, the evaluator's name and the parameters only. */
export const TrialJobSchema = z
  .object({
    experimentId: z.string().min(1),
    trialId: z.string().min(1),
    index: z.number().int().min(0),
    evaluator: z.string().min(1),
    parameters: ParameterValuesSchema,
    timeoutMs: z.number().int().min(1),
    /** The objective's metric name: a bare number returned by the evaluator is filed under it. */
    objective: z.string().min(1).optional(),
  })
  .strict();
export type TrialJob = z.infer<typeof TrialJobSchema>;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * What an evaluator may return: a number (the objective), a record of metric values, or
 * `{ values, sem? }` with standard errors of the mean.
 */
export const EvaluatorResultSchema = z.union([
  finite,
  z.record(z.string(), finite),
  z.object({ values: z.record(z.string(), finite), sem: z.record(z.string(), z.number().min(0)).optional() }).strict(),
]);
export type EvaluatorResult = z.infer<typeof EvaluatorResultSchema>;

/** A result in one shape: metric values (and SEMs), keyed by metric name. */
export interface TrialOutcome {
  values: Record<string, number>;
  sem?: Record<string, number>;
}

/** An intermediate value reported by `ctx.report(step, value)`. */
export const IntermediateValueSchema = z.object({ step: z.number().int().min(0), value: finite }).strict();
export type IntermediateValue = z.infer<typeof IntermediateValueSchema>;

/**
 * Normalises an evaluator's return value. A bare number becomes the objective. Throws a plain
 * Error whose message says what was wrong (a string, NaN, a missing objective) — the caller fails
 * the trial with it.
 */
export function normalizeResult(raw: unknown, objective: string): TrialOutcome {
  const parsed = EvaluatorResultSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`evaluator returned ${describe(raw)}; expected a finite number, a record of finite metric values, or { values, sem }`);
  }
  const r = parsed.data;
  let out: TrialOutcome;
  if (typeof r === 'number') out = { values: { [objective]: r } };
  else if (isWithSem(r)) out = r.sem ? { values: r.values, sem: r.sem } : { values: r.values };
  else out = { values: r as Record<string, number> };
  if (!(objective in out.values)) throw new Error(`evaluator result has no '${objective}' (the objective); it reported ${Object.keys(out.values).join(', ') || 'nothing'}`);
  return out;
}

function isWithSem(r: object): r is { values: Record<string, number>; sem?: Record<string, number> } {
  return typeof (r as { values?: unknown }).values === 'object';
}

function describe(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (v === null || v === undefined) return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 80 ? s.slice(0, 80) + '…' : s;
  } catch {
    return typeof v;
  }
}
