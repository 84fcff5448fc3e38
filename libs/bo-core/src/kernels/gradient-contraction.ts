import type { Matrix } from '../linalg/matrix.js';
import type { Kernel } from './kernel.js';

/**
 * An optional fast path beside the {@link Kernel} contract: one pass over the pairs of `X` that
 * yields both the contracted gradient and the contraction of the covariance itself. Composite
 * kernels need both (a ScaleKernel's outputscale gradient is `s * sum(W ∘ K_base)`), and getting
 * them together saves building `K_base` a second time.
 */
export interface GradientContraction {
  /**
   * For `K = K(X, X)` (`X`: `n x d`, `W`: `n x n`, need not be symmetric):
   * adds `c * sum_ij W_ij dK_ij/dtheta_k` to `out[offset + k]` for each raw hyperparameter `k`,
   * and returns `sum_ij W_ij K_ij` (not multiplied by `c`).
   */
  accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number;
}

function hasContraction(kernel: Kernel): kernel is Kernel & GradientContraction {
  return typeof (kernel as Partial<GradientContraction>).accumulateHyperparameterGradient === 'function';
}

/**
 * {@link GradientContraction.accumulateHyperparameterGradient} for any kernel: uses the kernel's
 * own fast path when it has one, otherwise its `hyperparameterGradient` plus one `covariance`.
 */
export function accumulateHyperparameterGradient(
  kernel: Kernel,
  X: Matrix,
  W: Matrix,
  c: number,
  out: Float64Array,
  offset: number,
): number {
  if (hasContraction(kernel)) return kernel.accumulateHyperparameterGradient(X, W, c, out, offset);
  const g = kernel.hyperparameterGradient(X, W);
  for (let k = 0; k < g.length; k++) out[offset + k]! += c * g[k]!;
  const K = kernel.covariance(X, X).data;
  const w = W.data;
  let s = 0;
  for (let i = 0; i < K.length; i++) s += w[i]! * K[i]!;
  return s;
}
