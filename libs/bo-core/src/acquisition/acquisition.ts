import type { QBatch } from '../posteriors/posterior.js';

/**
 * The acquisition-function contract: maps a `b x q x d` batch of candidate q-batches to `b` values,
 * larger is better. Every acquisition function also gives its gradient with respect to the
 * inputs, so candidates can be optimised with a quasi-Newton method. Values are deterministic
 * functions of X (Monte-Carlo functions hold their base samples fixed), so the objective is smooth.
 */
export interface AcquisitionFunction {
  /** Input dimension d. */
  readonly dim: number;
  /** Values at each t-batch: length b. */
  forward(X: QBatch): Float64Array;
  /** Values (length b) and their gradient with respect to X (`b x q x d`). */
  forwardWithGradient(X: QBatch): { values: Float64Array; gradient: Float64Array };
}
