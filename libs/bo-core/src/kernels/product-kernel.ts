import type { Matrix } from '../linalg/matrix.js';
import { accumulateHyperparameterGradient } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import { checkInputs, checkPoint, checkWeights } from './kernel-checks.js';
import { ListKernel } from './kernel-list.js';

/**
 * `k(x, x') = k_1(x, x') * ... * k_m(x, x')` (elementwise), all of the same `dim`.
 *
 * Raw hyperparameters: the children's vectors concatenated in order, names prefixed `kernels[i].`.
 * Product rule: with `P_i = prod_{j != i} K_j` (elementwise),
 *
 *     sum_ab W_ab dK_ab/dtheta  = sum_ab (W ∘ P_i)_ab dK_i,ab/dtheta   for theta in child i,
 *     dk(x, X_a)/dx             = sum_i P_i(x, X_a) dk_i(x, X_a)/dx,
 *
 * so a child's contracted gradient is taken with the weights `W ∘ P_i`.
 */
export class ProductKernel extends ListKernel {
  /** @param kernels one or more kernels with the same `dim` (shared, not copied). */
  constructor(...kernels: Kernel[]) {
    super('ProductKernel', kernels);
  }

  /** `prod_i K_i(X1, X2)` (elementwise): `n1 x n2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix {
    return { rows: X1.rows, cols: X2.rows, data: this.fold((k) => k.covariance(X1, X2).data, multiplyInto) };
  }

  /** `prod_i diag K_i(X, X)`: length n. */
  diagonal(X: Matrix): Float64Array {
    return this.fold((k) => k.diagonal(X), multiplyInto);
  }

  /** Child i's contracted gradient with weights `W ∘ P_i`, at its block of `out`. */
  accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number {
    checkInputs('ProductKernel', 'X', X, this.dim);
    checkWeights('ProductKernel', X, W);
    const kernels = this.list.kernels;
    const n = X.rows;
    if (kernels.length === 1) return accumulateHyperparameterGradient(kernels[0]!, X, W, c, out, offset);
    const Ks = kernels.map((k) => k.covariance(X, X).data);
    const weights = new Float64Array(n * n);
    let contraction = 0;
    for (let i = 0; i < kernels.length; i++) {
      weights.set(W.data);
      Ks.forEach((K, j) => {
        if (j !== i) multiplyInto(weights, K);
      });
      // sum (W ∘ P_i) ∘ K_i = sum W ∘ K: the same for every i.
      contraction = accumulateHyperparameterGradient(
        kernels[i]!,
        X,
        { rows: n, cols: n, data: weights },
        c,
        out,
        offset + this.list.offsets[i]!,
      );
    }
    return contraction;
  }

  /** `sum_i (prod_{j != i} k_j(x, X_a)) dk_i(x, X_a)/dx`: `n x d`. */
  inputGradient(x: ArrayLike<number>, X: Matrix): Matrix {
    checkPoint('ProductKernel', x, this.dim);
    checkInputs('ProductKernel', 'X', X, this.dim);
    const kernels = this.list.kernels;
    const n = X.rows;
    const d = this.dim;
    if (kernels.length === 1) return kernels[0]!.inputGradient(x, X);
    const point: Matrix = { rows: 1, cols: d, data: Float64Array.from(x) };
    const values = kernels.map((k) => k.covariance(point, X).data);
    const out = new Float64Array(n * d);
    const others = new Float64Array(n);
    for (let i = 0; i < kernels.length; i++) {
      others.fill(1);
      values.forEach((v, j) => {
        if (j !== i) multiplyInto(others, v);
      });
      const G = kernels[i]!.inputGradient(x, X).data;
      for (let a = 0; a < n; a++) {
        const p = others[a]!;
        for (let t = 0; t < d; t++) out[a * d + t]! += p * G[a * d + t]!;
      }
    }
    return { rows: n, cols: d, data: out };
  }
}

function multiplyInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! *= source[i]!;
}
