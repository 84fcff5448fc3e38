import type { Kernel } from '../kernels/kernel.js';
import { cholesky, choleskyInverse, solveLower, solveLowerTranspose } from '../linalg/index.js';
import type { Matrix } from '../linalg/matrix.js';

/** What the exact marginal log likelihood computes, and its factorisation for reuse. */
export interface MarginalLogLikelihoodResult {
  /** `log p(z | theta)`, total over the n points (not divided by n). */
  value: number;
  /** Lower Cholesky factor of `K + diag(noise)`, `n x n`. */
  L: Matrix;
  /** Jitter added to the diagonal for the factorisation to succeed (0 if none). */
  jitter: number;
  /** `alpha = (K + diag(noise))^-1 (z - c)`, length n. */
  alpha: Float64Array;
  /** Gradient with respect to the kernel's raw hyperparameters (only with gradients). */
  gradKernel?: Float64Array;
  /** `d value / d noise_i` for each point's noise variance: `W_ii` (only with gradients). */
  gradNoise?: Float64Array;
  /** `d value / d c` for the constant mean: `sum_i alpha_i` (only with gradients). */
  gradMean?: number;
}

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Exact GP marginal log likelihood with a constant mean `c` and per-point noise variances:
 *
 *   log p(z) = -1/2 (z - c)^T Ky^-1 (z - c) - 1/2 log|Ky| - n/2 log(2 pi),   Ky = K(X, X) + diag(noise)
 *
 * and, with `withGradients`, its gradient through `W = 1/2 (alpha alpha^T - Ky^-1)`:
 * `d/dtheta = sum_ij W_ij dK_ij/dtheta`, `d/dnoise_i = W_ii`, `d/dc = sum_i alpha_i`.
 *
 * @param kernel the covariance function with its current hyperparameters.
 * @param X `n x d` training inputs (model space).
 * @param z length n, training targets (transformed space).
 * @param noise length n, observation noise variances.
 * @param meanConstant the constant mean c.
 */
export function exactMarginalLogLikelihood(
  kernel: Kernel,
  X: Matrix,
  z: Float64Array,
  noise: Float64Array,
  meanConstant: number,
  withGradients: boolean,
): MarginalLogLikelihoodResult {
  const n = X.rows;
  const K = kernel.covariance(X, X);
  for (let i = 0; i < n; i++) K.data[i * n + i]! += noise[i]!;
  const { L, jitter } = cholesky(K);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = z[i]! - meanConstant;
  const alpha = solveLowerTranspose(L, solveLower(L, r));
  let quad = 0;
  let logDetHalf = 0;
  for (let i = 0; i < n; i++) {
    quad += r[i]! * alpha[i]!;
    logDetHalf += Math.log(L.data[i * n + i]!);
  }
  const value = -0.5 * quad - logDetHalf - 0.5 * n * LOG_2PI;
  const result: MarginalLogLikelihoodResult = { value, L, jitter, alpha };
  if (!withGradients) return result;

  // W = (alpha alpha^T - Ky^-1) / 2, built in the buffer of Ky^-1.
  const W = choleskyInverse(L);
  const w = W.data;
  for (let i = 0; i < n; i++) {
    const ai = alpha[i]!;
    const rowOff = i * n;
    for (let j = 0; j < n; j++) w[rowOff + j] = 0.5 * (ai * alpha[j]! - w[rowOff + j]!);
  }
  const gradNoise = new Float64Array(n);
  let gradMean = 0;
  for (let i = 0; i < n; i++) {
    gradNoise[i] = w[i * n + i]!;
    gradMean += alpha[i]!;
  }
  result.gradKernel = kernel.hyperparameterGradient(X, W);
  result.gradNoise = gradNoise;
  result.gradMean = gradMean;
  return result;
}
