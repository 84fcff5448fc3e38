import type { Matrix } from '../linalg/matrix.js';
import { accumulateHyperparameterGradient, type GradientContraction } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import { checkInputs, checkWeights } from './kernel-checks.js';
import { KernelList } from './kernel-list.js';

/**
 * `k(x, x') = k_1(x, x') + ... + k_m(x, x')`, all of the same `dim`.
 *
 * Raw hyperparameters: the children's vectors concatenated in order, names prefixed `kernels[i].`.
 * Every derivative is the sum of the children's (each child's block only involves that child).
 */
export class SumKernel implements Kernel, GradientContraction {
  readonly dim: number;
  readonly numHyperparameters: number;
  private readonly list: KernelList;

  /** @param kernels one or more kernels with the same `dim` (shared, not copied). */
  constructor(...kernels: Kernel[]) {
    this.list = new KernelList('SumKernel', kernels);
    this.dim = this.list.dim;
    this.numHyperparameters = this.list.numHyperparameters;
  }

  /** The summands, in hyperparameter order. */
  get kernels(): readonly Kernel[] {
    return this.list.kernels;
  }

  hyperparameterNames(): string[] {
    return this.list.names();
  }

  getHyperparameters(): Float64Array {
    return this.list.get();
  }

  setHyperparameters(theta: ArrayLike<number>): void {
    this.list.set(theta);
  }

  /** `sum_i K_i(X1, X2)`: `n1 x n2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix {
    const [first, ...rest] = this.list.kernels;
    const K = first!.covariance(X1, X2);
    for (const k of rest) addInto(K.data, k.covariance(X1, X2).data);
    return K;
  }

  /** `sum_i diag K_i(X, X)`: length n. */
  diagonal(X: Matrix): Float64Array {
    const [first, ...rest] = this.list.kernels;
    const diag = first!.diagonal(X);
    for (const k of rest) addInto(diag, k.diagonal(X));
    return diag;
  }

  /** The children's contracted gradients with the same `W`, concatenated. */
  hyperparameterGradient(X: Matrix, W: Matrix): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    this.accumulateHyperparameterGradient(X, W, 1, out, 0);
    return out;
  }

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
    const [first, ...rest] = this.list.kernels;
    const G = first!.inputGradient(x, X);
    for (const k of rest) addInto(G.data, k.inputGradient(x, X).data);
    return G;
  }
}

function addInto(target: Float64Array, source: Float64Array): void {
  for (let i = 0; i < target.length; i++) target[i]! += source[i]!;
}
