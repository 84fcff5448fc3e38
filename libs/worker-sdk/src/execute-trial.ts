import type { TrialJob, TrialOutcome } from '@apiary/contracts';
import { EvaluationError, EvaluatorFailure, messageOf } from './errors.js';
import type { Evaluator, EvaluatorContext } from './evaluator.js';
import { normalizeOutcome } from './normalize-outcome.js';

/** Options of {@link executeTrial}. */
export interface ExecuteTrialOptions {
  /** The objective's metric name; the result must contain it. @defaultValue none: a number or any record is accepted (see normalizeOutcome) */
  objective?: string;
  /** Receives the evaluator's intermediate values (`ctx.report`) while the trial runs. @defaultValue none */
  onReport?: (step: number, value: number) => void;
  /**
   * Aborts the trial from outside (cancellation, shutdown). Its reason, when an EvaluationError
   * (see {@link cancelledReason}, {@link shutdownReason}), is what the trial fails with.
   * @defaultValue none
   */
  signal?: AbortSignal;
  /** The attempt number the evaluator sees. @defaultValue 1 */
  attempt?: number;
  /**
   * After an abort, how long to wait for the evaluator to return before reporting the failure, so
   * that a threaded or out-of-process evaluator is really stopped when this returns.
   * @defaultValue 1000
   */
  settleGraceMs?: number;
}

/** The abort reason of a cancelled trial. */
export function cancelledReason(): EvaluationError {
  return new EvaluationError('cancelled', 'cancelled');
}

/** The abort reason of a trial stopped because its worker shuts down. */
export function shutdownReason(): EvaluationError {
  return new EvaluationError('shutdown', 'worker shutting down');
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs one trial: calls the evaluator with the job's parameters under the job's time limit
 * (`timeoutMs`, through an AbortController whose signal the evaluator sees), validates the value
 * with contracts' normalizeResult, and returns the outcome. Throws an EvaluationError whose
 * `reason` says why otherwise: "timed out after 5000 ms", "evaluator threw: …", "evaluator failed:
 * …" (commands, HTTP, threads), "evaluator returned the string "abc"; expected …", "cancelled".
 */
export async function executeTrial(evaluator: Evaluator, job: TrialJob, options: ExecuteTrialOptions = {}): Promise<TrialOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new EvaluationError('timeout', `timed out after ${job.timeoutMs} ms`)), job.timeoutMs);
  const external = options.signal;
  const onExternalAbort = (): void => controller.abort(asEvaluationError(external?.reason));
  if (external?.aborted) onExternalAbort();
  else external?.addEventListener('abort', onExternalAbort, { once: true });

  let running = true;
  const ctx: EvaluatorContext = {
    trialId: job.trialId,
    experimentId: job.experimentId,
    attempt: options.attempt ?? 1,
    signal: controller.signal,
    report(step, value) {
      checkReport(step, value);
      if (running) options.onReport?.(step, value);
    },
  };
  const aborted = new Promise<'aborted'>((resolve) => {
    if (controller.signal.aborted) resolve('aborted');
    else controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  const settled: Promise<Settled> = (async () => evaluator(job.parameters, ctx))().then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

  try {
    const first = await Promise.race([settled, aborted]);
    if (first === 'aborted') {
      await Promise.race([settled, delay(options.settleGraceMs ?? 1000)]);
      throw asEvaluationError(controller.signal.reason);
    }
    if (!first.ok) throw failureOf(first.error);
    try {
      return normalizeOutcome(first.value, options.objective);
    } catch (e) {
      throw new EvaluationError('invalid-result', messageOf(e), { cause: e });
    }
  } finally {
    running = false;
    clearTimeout(timer);
    external?.removeEventListener('abort', onExternalAbort);
  }
}

function failureOf(error: unknown): EvaluationError {
  if (error instanceof EvaluationError) return error;
  if (error instanceof EvaluatorFailure) return new EvaluationError('failed', `evaluator failed: ${error.message}`, { cause: error });
  return new EvaluationError('threw', `evaluator threw: ${messageOf(error)}`, { cause: error });
}

function asEvaluationError(reason: unknown): EvaluationError {
  return reason instanceof EvaluationError ? reason : new EvaluationError('cancelled', `aborted: ${messageOf(reason ?? 'no reason given')}`);
}

function checkReport(step: number, value: number): void {
  if (!Number.isInteger(step) || step < 0) throw new TypeError(`report(step, value): step must be a non-negative integer, got ${step}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`report(step, value): value must be a finite number, got ${value}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
