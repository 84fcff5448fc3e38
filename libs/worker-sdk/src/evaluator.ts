import type { EvaluatorResult, ParameterValues } from '@apiary/contracts';

/**
 * What an evaluator sees besides the parameters: which trial it runs, an abort signal, and a
 * channel for intermediate values.
 */
export interface EvaluatorContext {
  /** The trial being evaluated. */
  readonly trialId: string;
  /** The experiment the trial belongs to. */
  readonly experimentId: string;
  /** 1 for the first run of this trial, 2 after one worker loss, and so on. */
  readonly attempt: number;
  /**
   * Aborted when the trial's time limit passes, when the trial is cancelled, or when the worker
   * shuts down. Long evaluations should watch it and stop early; `signal.reason` says why.
   */
  readonly signal: AbortSignal;
  /**
   * Reports an intermediate value of the objective (a learning curve point). `step` is a
   * non-negative integer and `value` a finite number; other values throw a TypeError.
   */
  report(step: number, value: number): void;
}

/**
 * What an evaluator may return (contracts' `EvaluatorResult`): a number (the objective), a record
 * of metric values, or `{ values, sem? }`. Anything else fails the trial with a clear message.
 */
export type EvaluatorReturn = EvaluatorResult;

/**
 * User code that measures one point of the search space. It may be synchronous or asynchronous;
 * a thrown error, a non-finite value or a result without the objective fails the trial.
 */
export type Evaluator = (parameters: ParameterValues, ctx: EvaluatorContext) => Promise<EvaluatorReturn> | EvaluatorReturn;

/**
 * Declares an evaluator with full typing; returns the function unchanged.
 *
 * @example
 * ```ts
 * export default defineEvaluator(async ({ lr }, ctx) => train(Number(lr), ctx.signal));
 * ```
 */
export function defineEvaluator<E extends Evaluator>(fn: E): E {
  return fn;
}
