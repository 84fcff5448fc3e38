import type { Matrix } from '../linalg/matrix.js';
import type { Posterior, QBatch } from '../posteriors/posterior.js';

/** Options of a posterior query. */
export interface PosteriorOptions {
  /** Add the observation noise to the covariance (the predictive of a new noisy y). @defaultValue false */
  observationNoise?: boolean;
}

/**
 * The model contract: a posterior over a single outcome at `b x q x d` inputs in the user's space,
 * in the user's outcome units. Several outcomes are modelled as independent models.
 */
export interface Model {
  /** Input dimension d. */
  readonly dim: number;
  /** Number of training points n. */
  readonly numTrain: number;
  /** Joint posterior at a `b x q x d` batch: mean `b x q`, covariance `b x q x q`. */
  posterior(X: QBatch, options?: PosteriorOptions): Posterior;
  /** Marginal predictions at `n x d` points: mean and variance, each length n. */
  predict(X: Matrix, options?: PosteriorOptions): { mean: Float64Array; variance: Float64Array };
}
