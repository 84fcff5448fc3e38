/**
 * The contract of a smooth minimiser: hyperparameter fitting and acquisition optimisation both
 * go through it.
 */

/** An objective and its gradient at x; `grad` is written in place, the value returned. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  /** Lower bounds per coordinate. @defaultValue -Infinity everywhere */
  lower?: ArrayLike<number>;
  /** Upper bounds per coordinate. @defaultValue +Infinity everywhere */
  upper?: ArrayLike<number>;
  /** Iteration limit. @defaultValue 200 */
  maxIterations?: number;
  /** Objective evaluations limit. @defaultValue 2 * maxIterations + 20 */
  maxEvaluations?: number;
  /** Stop when the projected gradient's max-norm falls below this. @defaultValue 1e-5 */
  gradTolerance?: number;
  /** Stop when the relative decrease of f in one iteration falls below this. @defaultValue 1e-9 */
  relTolerance?: number;
  /** Number of correction pairs kept (memory). @defaultValue 10 */
  memory?: number;
}

export interface MinimizeResult {
  /** The best point found (a fresh array). */
  x: Float64Array;
  /** f(x). */
  f: number;
  /** Iterations used. */
  iterations: number;
  /** Objective evaluations used. */
  evaluations: number;
  /** Why it stopped. */
  reason: 'converged-grad' | 'converged-f' | 'max-iterations' | 'max-evaluations' | 'line-search-failed';
}
