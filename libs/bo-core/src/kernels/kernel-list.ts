import { ShapeError } from '../errors/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { GradientContraction } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import { checkHyperparameters } from './kernel-checks.js';

/**
 * Bookkeeping shared by kernels built from a list of child kernels (sums, products): the children
 * must agree on `dim`, and the raw hyperparameter vector is the children's vectors concatenated in
 * order, names prefixed `kernels[i].`.
 */
export class KernelList {
  readonly kernels: readonly Kernel[];
  readonly dim: number;
  readonly numHyperparameters: number;
  /** `offsets[i]`: index of child i's first raw hyperparameter; `offsets[m]` = total. */
  readonly offsets: readonly number[];

  constructor(
    private readonly owner: string,
    kernels: readonly Kernel[],
  ) {
    const first = kernels[0];
    if (first === undefined) throw new ShapeError(`${owner}: needs at least one kernel, got none`);
    for (let i = 1; i < kernels.length; i++) {
      const k = kernels[i]!;
      if (k.dim !== first.dim) {
        throw new ShapeError(`${owner}: every kernel must have the same dim; kernels[0] has ${first.dim}, kernels[${i}] has ${k.dim}`);
      }
    }
    this.kernels = [...kernels];
    this.dim = first.dim;
    const offsets = [0];
    let total = 0;
    for (const k of kernels) {
      total += k.numHyperparameters;
      offsets.push(total);
    }
    this.offsets = offsets;
    this.numHyperparameters = total;
  }

  names(): string[] {
    return this.kernels.flatMap((k, i) => k.hyperparameterNames().map((name) => `kernels[${i}].${name}`));
  }

  get(): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    this.kernels.forEach((k, i) => out.set(k.getHyperparameters(), this.offsets[i]!));
    return out;
  }

  set(theta: ArrayLike<number>): void {
    checkHyperparameters(this.owner, theta, this.numHyperparameters);
    const values = Float64Array.from(theta);
    this.kernels.forEach((k, i) => k.setHyperparameters(values.subarray(this.offsets[i]!, this.offsets[i + 1]!)));
  }
}

/**
 * A kernel that combines a list of child kernels elementwise (SumKernel, ProductKernel): the
 * hyperparameter plumbing over the {@link KernelList}, and the fold of the children's matrices.
 */
export abstract class ListKernel implements Kernel, GradientContraction {
  readonly dim: number;
  readonly numHyperparameters: number;
  protected readonly list: KernelList;

  /** @param kernels one or more kernels with the same `dim` (shared, not copied). */
  protected constructor(owner: string, kernels: readonly Kernel[]) {
    this.list = new KernelList(owner, kernels);
    this.dim = this.list.dim;
    this.numHyperparameters = this.list.numHyperparameters;
  }

  /** The children, in hyperparameter order. */
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

  /** The contracted gradient over every child's block (see {@link accumulateHyperparameterGradient}). */
  hyperparameterGradient(X: Matrix, W: Matrix): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    this.accumulateHyperparameterGradient(X, W, 1, out, 0);
    return out;
  }

  abstract covariance(X1: Matrix, X2: Matrix): Matrix;
  abstract diagonal(X: Matrix): Float64Array;
  abstract inputGradient(x: ArrayLike<number>, X: Matrix): Matrix;
  abstract accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number;

  /** The first child's array from `of`, with every other child's folded into it by `into`. */
  protected fold(of: (k: Kernel) => Float64Array, into: (target: Float64Array, source: Float64Array) => void): Float64Array {
    const [first, ...rest] = this.list.kernels;
    const acc = of(first!);
    for (const k of rest) into(acc, of(k));
    return acc;
  }
}
