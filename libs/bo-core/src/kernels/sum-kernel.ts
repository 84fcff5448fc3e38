import type { Matrix } from '../linalg/matrix.js';
import { accumulateHyperparameterGradient } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import { checkInputs, checkWeights } from './kernel-checks.js';
import { ListKernel } from './kernel-list.js';

/**
 * `k(x, x') = k_1(x, x') + ... + k_m(x, x')`, all of the same `dim`.
 *
 * Raw hyperparameters: the children's vectors concatenated in order, names prefixed `kernels[i].`.
 * Every derivative is the sum of the children's (each child's block only involves that child).
 */
export class SumKernel extends ListKernel {
  /** @param kernels one or more kernels with the same `dim` (shared, not copied). */
  constructor(...kernels: Kernel[]) {
    super('SumKernel', kernels);
  }

  /** `sum_i K_i(X1, X2)`: `n1 x n2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix {
    return { rows: X1.rows, cols: X2.rows, data: this.fold((k) => k.covariance(X1, X2).data, addInto) };
  }

  /** `sum_i diag K_i(X, X)`: length n. */
  diagonal(X: Matrix): Float64Array {
    return this.fold((k) => k.diagonal(X), addInto);
  }

  /** The children's contracted gradients with the same `W`, concatenated. */
  accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number {
    checkInputs('SumKernel', 'X', X, this.dim);
    checkWeights('SumKernel', X, W);
    let contraction = 0;
    this.list.kernels.forEach((k, i) => {
      contraction += accumulateHyperparameterGradient(k, X, W, c, out, offset + this.list.offsets[i]!);
    });
    return contraction;
  }

  /** `sum_i dk_i(x, X_j)/dx`: `n x d`. */
  inputGradient(x: ArrayLike<number>, X: Matrix): Matrix {
    return { rows: X.rows, cols: this.dim, data: this.fold((k) => k.inputGradient(x, X).data, addInto) };
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
