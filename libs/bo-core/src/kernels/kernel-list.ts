import { ShapeError } from '../errors/errors.js';
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
