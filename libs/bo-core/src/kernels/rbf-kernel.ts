import { StationaryKernel, type StationaryKernelOptions } from './stationary-kernel.js';

/** Options of {@link RBFKernel}: `ard` (default true), `lengthscale` (default 1). */
export type RBFKernelOptions = StationaryKernelOptions;

/**
 * The squared-exponential (RBF) kernel, no outputscale:
 *
 *     k(x, x') = exp(-r^2 / 2),   r^2 = sum_j ((x_j - x'_j) / l_j)^2,
 *     dk/dr^2  = -exp(-r^2 / 2) / 2.
 *
 * Raw hyperparameters: log lengthscales (see {@link StationaryKernel}).
 */
export class RBFKernel extends StationaryKernel {
  /**
   * @param dim input dimension d (integer >= 1).
   * @param options `ard` (default true), `lengthscale` (number or per-dimension array, default 1).
   */
  constructor(dim: number, options: RBFKernelOptions = {}) {
    super('RBFKernel', dim, options);
  }

  protected profile(r2: number): number {
    return Math.exp(-0.5 * r2);
  }

  protected profileWithDerivative(r2: number, out: Float64Array): void {
    const e = Math.exp(-0.5 * r2);
    out[0] = e;
    out[1] = -0.5 * e;
  }
}
