import type { Matrix } from '../linalg/matrix.js';

/**
 * The kernel contract, GPyTorch-style: kernels compose (a ScaleKernel wraps a base kernel, sums
 * and products combine kernels) and every kernel exposes its hyperparameters as one flat vector
 * of *raw* values — logs of positive quantities (log lengthscales, log outputscale) — so that an
 * optimiser works unconstrained and composite kernels just concatenate their children's vectors.
 *
 * Shapes: `X1` is `n1 x d`, `X2` is `n2 x d`; a covariance matrix is `n1 x n2`.
 */
export interface Kernel {
  /** Input dimension d. */
  readonly dim: number;
  /** Number of raw hyperparameters. */
  readonly numHyperparameters: number;
  /** Names of the raw hyperparameters, in vector order (e.g. `lengthscale[0]` → stored as its log). */
  hyperparameterNames(): string[];
  /** A copy of the raw hyperparameter vector (length `numHyperparameters`). */
  getHyperparameters(): Float64Array;
  /** Sets the raw hyperparameters from a vector of length `numHyperparameters`. */
  setHyperparameters(theta: ArrayLike<number>): void;

  /** Covariance matrix `K(X1, X2)`: `n1 x n2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix;
  /** Diagonal of `K(X, X)`: length n. */
  diagonal(X: Matrix): Float64Array;

  /**
   * Contracted hyperparameter gradient of the symmetric matrix `K = K(X, X)`:
   * `g_k = sum_ij W_ij * dK_ij / dtheta_k` for each raw hyperparameter `theta_k`.
   * This is what a marginal-likelihood gradient needs (`W = (alpha alpha^T - K^-1) / 2`) without
   * materialising `numHyperparameters` derivative matrices.
   *
   * @param X `n x d` inputs.
   * @param W `n x n` weights (need not be symmetric).
   * @returns length `numHyperparameters`.
   */
  hyperparameterGradient(X: Matrix, W: Matrix): Float64Array;

  /**
   * Gradient of the cross-covariance with respect to the first argument:
   * `G[i * d + j] = d k(x, X_i) / d x_j` for one point `x`.
   *
   * @param x length d.
   * @param X `n x d`.
   * @returns `n x d`.
   */
  inputGradient(x: ArrayLike<number>, X: Matrix): Matrix;
}
