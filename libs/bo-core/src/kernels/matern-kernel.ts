import { InputDataError } from '../errors/errors.js';
import { StationaryKernel, type StationaryKernelOptions } from './stationary-kernel.js';

/** The supported Matérn smoothness values. */
export type MaternNu = 0.5 | 1.5 | 2.5;

/** Options of {@link MaternKernel}. */
export interface MaternKernelOptions extends StationaryKernelOptions {
  /** Smoothness ν: 0.5, 1.5 or 2.5. Default 2.5. */
  nu?: MaternNu;
}

const SQRT3 = Math.sqrt(3);
const SQRT5 = Math.sqrt(5);

/**
 * The Matérn kernel for half-integer smoothness, no outputscale (`k = 1` at `r = 0`), with
 * `r = sqrt(r^2)`, `r^2 = sum_j ((x_j - x'_j) / l_j)^2`:
 *
 *     ν = 1/2:  k = exp(-r)                                dk/dr^2 = -exp(-r) / (2 r)
 *     ν = 3/2:  k = (1 + √3 r) exp(-√3 r)                  dk/dr^2 = -(3/2) exp(-√3 r)
 *     ν = 5/2:  k = (1 + √5 r + 5/3 r^2) exp(-√5 r)        dk/dr^2 = -(5/6)(1 + √5 r) exp(-√5 r)
 *
 * For ν = 3/2 and 5/2 the derivative is finite at `r = 0`. For ν = 1/2 it diverges there and the
 * kernel has a kink at duplicate points: its input gradient at `x = X_i` is defined as 0, and the
 * lengthscale gradient there is exactly 0 (`k = 1` whatever the lengthscale). See
 * {@link StationaryKernel} for how `r = 0` is handled.
 *
 * Raw hyperparameters: log lengthscales.
 */
export class MaternKernel extends StationaryKernel {
  /** The smoothness ν. */
  readonly nu: MaternNu;

  /**
   * @param dim input dimension d (integer >= 1).
   * @param options `nu` (0.5 | 1.5 | 2.5, default 2.5), `ard` (default true), `lengthscale`
   *   (number or per-dimension array, default 1).
   */
  constructor(dim: number, options: MaternKernelOptions = {}) {
    super('MaternKernel', dim, options);
    const nu = options.nu ?? 2.5;
    if (nu !== 0.5 && nu !== 1.5 && nu !== 2.5) {
      throw new InputDataError(`MaternKernel: nu must be 0.5, 1.5 or 2.5, got ${String(nu)}`);
    }
    this.nu = nu;
  }

  protected profile(r2: number): number {
    const r = Math.sqrt(r2);
    switch (this.nu) {
      case 0.5:
        return Math.exp(-r);
      case 1.5: {
        const a = SQRT3 * r;
        return (1 + a) * Math.exp(-a);
      }
      case 2.5: {
        const a = SQRT5 * r;
        return (1 + a + (a * a) / 3) * Math.exp(-a);
      }
    }
  }

  protected profileWithDerivative(r2: number, out: Float64Array): void {
    const r = Math.sqrt(r2);
    switch (this.nu) {
      case 0.5: {
        const e = Math.exp(-r);
        out[0] = e;
        out[1] = -e / (2 * r); // -Infinity at r = 0, never read there
        return;
      }
      case 1.5: {
        const a = SQRT3 * r;
        const e = Math.exp(-a);
        out[0] = (1 + a) * e;
        out[1] = -1.5 * e;
        return;
      }
      case 2.5: {
        const a = SQRT5 * r;
        const e = Math.exp(-a);
        out[0] = (1 + a + (a * a) / 3) * e;
        out[1] = (-5 / 6) * (1 + a) * e;
        return;
      }
    }
  }
}
