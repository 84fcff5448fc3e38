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

/**
 * A model whose posterior is differentiable in its inputs, by reverse mode: given the gradient of a
 * scalar with respect to the posterior mean and covariance at X, it returns the gradient with
 * respect to X. Acquisition functions chain their own gradients through it.
 */
export interface DifferentiableModel extends Model {
  /**
   * @param X `b x q x d`, the points the posterior was taken at.
   * @param gradMean `b x q`: d(scalar)/d(mean), the user's outcome units.
   * @param gradCovariance `b x q x q`: d(scalar)/d(covariance), or null when the scalar depends on
   *   the mean only.
   * @returns `b x q x d`: d(scalar)/dX.
   */
  posteriorBackward(X: QBatch, gradMean: Float64Array, gradCovariance: Float64Array | null): Float64Array;
}
