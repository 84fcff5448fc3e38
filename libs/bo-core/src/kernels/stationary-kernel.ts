import { InputDataError, ShapeError } from '../errors/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { GradientContraction } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import {
  checkDim,
  checkHyperparameters,
  checkInputs,
  checkPoint,
  checkPositive,
  checkWeights,
} from './kernel-checks.js';

/** Options shared by the stationary base kernels. */
export interface StationaryKernelOptions {
  /**
   * Automatic relevance determination: one lengthscale per input dimension (`true`, the default)
   * or a single lengthscale shared by all dimensions (`false`).
   */
  ard?: boolean;
  /**
   * Initial lengthscale(s), positive and finite. A number sets every lengthscale; an array gives
   * one per dimension (length `dim`, ARD only) or a single value (length 1). Default 1.
   */
  lengthscale?: number | readonly number[];
}

/**
 * Shared machinery of the stationary kernels `k(x, x') = kappa(r^2)` with the ARD-scaled squared
 * distance
 *
 *     r^2 = sum_j ((x_j - x'_j) / l_j)^2      (l_j = l for all j when not ARD).
 *
 * The raw hyperparameters are the log lengthscales: `log l_0 .. log l_{d-1}` (ARD) or `log l`
 * (shared), named `lengthscale[j]` / `lengthscale`. There is no outputscale here (wrap in a
 * ScaleKernel): `kappa(0) = 1`.
 *
 * Subclasses supply only the profile `kappa(r^2)` and its derivative `kappa'(r^2) = dkappa/dr^2`;
 * covariance, diagonal, hyperparameter gradient and input gradient are written once here:
 *
 *     dk/dlog l_j  = kappa'(r^2) * (-2) * (x_j - x'_j)^2 / l_j^2     (ARD)
 *     dk/dlog l    = kappa'(r^2) * (-2) * r^2                         (shared)
 *     dk/dx_j      = kappa'(r^2) *   2  * (x_j - x'_j)   / l_j^2
 *
 * At `r = 0` (duplicate points, the diagonal) every one of these multiplies `kappa'` by zero, so
 * the base skips `kappa'` there and the derivatives are exactly 0 — also for profiles whose
 * `kappa'` diverges at 0 (Matérn 1/2, where the input gradient at `r = 0` is a kink and is
 * *defined* as 0).
 *
 * Performance: each call scales the inputs once (`z = x / l`); `covariance(X, X)` (the same
 * object twice) computes the upper triangle and mirrors it; the contracted gradient visits each
 * unordered pair once, weighting it by `W_ij + W_ji`, and accumulates every hyperparameter's sum
 * in the same pass. Nothing is allocated per pair.
 */
export abstract class StationaryKernel implements Kernel, GradientContraction {
  readonly dim: number;
  /** Whether each dimension has its own lengthscale. */
  readonly ard: boolean;
  readonly numHyperparameters: number;
  /** Name used in error messages. */
  protected readonly kernelName: string;
  /** Raw hyperparameters: log lengthscales (length `numHyperparameters`). */
  private readonly logLengthscales: Float64Array;
  /** `exp(logLengthscales)`, kept exact when set from positive values. */
  private readonly lengthscaleValues: Float64Array;
  /** `1 / l_j` for every dimension (length `dim`, also when the lengthscale is shared). */
  private readonly inverseLengthscales: Float64Array;
  /** `[kappa, kappa']` written by `profileWithDerivative`, reused across pairs. */
  private readonly scratch = new Float64Array(2);

  protected constructor(kernelName: string, dim: number, options: StationaryKernelOptions = {}) {
    this.kernelName = kernelName;
    checkDim(kernelName, dim);
    this.dim = dim;
    this.ard = options.ard ?? true;
    this.numHyperparameters = this.ard ? dim : 1;
    const init = options.lengthscale ?? 1;
    const values = typeof init === 'number' ? [init] : init;
    if (values.length !== 1 && !(this.ard && values.length === dim)) {
      const allowed = this.ard ? `1 or ${dim}` : '1 (ard: false shares one lengthscale)';
      throw new ShapeError(`${kernelName}: lengthscale array must have length ${allowed}, got ${values.length}`);
    }
    this.logLengthscales = new Float64Array(this.numHyperparameters);
    this.lengthscaleValues = new Float64Array(this.numHyperparameters);
    for (let k = 0; k < this.numHyperparameters; k++) {
      const v = values.length === 1 ? values[0]! : values[k]!;
      checkPositive(kernelName, `lengthscale[${k}]`, v);
      this.logLengthscales[k] = Math.log(v);
      this.lengthscaleValues[k] = v;
    }
    this.inverseLengthscales = new Float64Array(dim);
    this.updateInverseLengthscales();
  }

  /** The profile `kappa(r^2)` for `r^2 >= 0`, with `kappa(0) = 1`. */
  protected abstract profile(r2: number): number;

  /**
   * Writes `out[0] = kappa(r^2)` and `out[1] = dkappa/dr^2`. Called with `r^2 >= 0`; at `r^2 = 0`
   * `out[1]` is never read (it may be infinite).
   */
  protected abstract profileWithDerivative(r2: number, out: Float64Array): void;

  /** The lengthscales (positive values, not logs): length `dim` with ARD, else 1. A copy. */
  lengthscales(): Float64Array {
    return this.lengthscaleValues.slice();
  }

  hyperparameterNames(): string[] {
    if (!this.ard) return ['lengthscale'];
    return Array.from({ length: this.dim }, (_, j) => `lengthscale[${j}]`);
  }

  getHyperparameters(): Float64Array {
    return this.logLengthscales.slice();
  }

  setHyperparameters(theta: ArrayLike<number>): void {
    checkHyperparameters(this.kernelName, theta, this.numHyperparameters);
    for (let k = 0; k < this.numHyperparameters; k++) {
      this.logLengthscales[k] = theta[k]!;
      this.lengthscaleValues[k] = Math.exp(theta[k]!);
    }
    this.updateInverseLengthscales();
  }

  /** `K_ij = kappa(r^2(X1_i, X2_j))`: `n1 x n2`. Exploits symmetry when `X1 === X2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix {
    checkInputs(this.kernelName, 'X1', X1, this.dim);
    checkInputs(this.kernelName, 'X2', X2, this.dim);
    const d = this.dim;
    const n1 = X1.rows;
    const n2 = X2.rows;
    const Z1 = this.scaleInputs(X1, 'X1');
    const out = new Float64Array(n1 * n2);
    if (X1 === X2) {
      const k0 = this.profile(0);
      for (let i = 0; i < n1; i++) {
        const zi = i * d;
        out[i * n1 + i] = k0;
        for (let j = i + 1; j < n1; j++) {
          const zj = j * d;
          let r2 = 0;
          for (let t = 0; t < d; t++) {
            const u = Z1[zi + t]! - Z1[zj + t]!;
            r2 += u * u;
          }
          const v = this.profile(r2);
          out[i * n1 + j] = v;
          out[j * n1 + i] = v;
        }
      }
      return { rows: n1, cols: n1, data: out };
    }
    const Z2 = this.scaleInputs(X2, 'X2');
    for (let i = 0; i < n1; i++) {
      const zi = i * d;
      const oi = i * n2;
      for (let j = 0; j < n2; j++) {
        const zj = j * d;
        let r2 = 0;
        for (let t = 0; t < d; t++) {
          const u = Z1[zi + t]! - Z2[zj + t]!;
          r2 += u * u;
        }
        out[oi + j] = this.profile(r2);
      }
    }
    return { rows: n1, cols: n2, data: out };
  }

  /** `kappa(0) = 1` for each row of `X` (`n x d`): length n. */
  diagonal(X: Matrix): Float64Array {
    checkInputs(this.kernelName, 'X', X, this.dim);
    return new Float64Array(X.rows).fill(this.profile(0));
  }

  /** `g_k = sum_ij W_ij dK_ij/dlog l_k` (see the class comment): length `numHyperparameters`. */
  hyperparameterGradient(X: Matrix, W: Matrix): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    this.accumulateHyperparameterGradient(X, W, 1, out, 0);
    return out;
  }

  accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number {
    checkInputs(this.kernelName, 'X', X, this.dim);
    checkWeights(this.kernelName, X, W);
    const d = this.dim;
    const n = X.rows;
    const Z = this.scaleInputs(X, 'X');
    const w = W.data;
    const s = this.scratch;
    const ard = this.ard;
    // ARD: g[t] accumulates sum w * kappa' * u_t^2; shared: g[0] accumulates sum w * kappa' * r^2.
    const g = new Float64Array(this.numHyperparameters);
    const k0 = this.profile(0);
    let contraction = 0;
    for (let i = 0; i < n; i++) {
      const zi = i * d;
      contraction += w[i * n + i]! * k0;
      for (let j = i + 1; j < n; j++) {
        const zj = j * d;
        let r2 = 0;
        for (let t = 0; t < d; t++) {
          const u = Z[zi + t]! - Z[zj + t]!;
          r2 += u * u;
        }
        const wij = w[i * n + j]! + w[j * n + i]!;
        if (r2 === 0) {
          contraction += wij * k0;
          continue;
        }
        this.profileWithDerivative(r2, s);
        contraction += wij * s[0]!;
        const f = wij * s[1]!;
        if (ard) {
          for (let t = 0; t < d; t++) {
            const u = Z[zi + t]! - Z[zj + t]!;
            g[t]! += f * u * u;
          }
        } else {
          g[0]! += f * r2;
        }
      }
    }
    const scale = -2 * c;
    for (let k = 0; k < g.length; k++) out[offset + k]! += scale * g[k]!;
    return contraction;
  }

  /**
   * `G[i * d + j] = dk(x, X_i)/dx_j = kappa'(r^2) * 2 (x_j - X_ij) / l_j^2`: `n x d`.
   * Rows where `x` equals `X_i` are 0 (the kernel's maximum; for Matérn 1/2 a kink, 0 by definition).
   */
  inputGradient(x: ArrayLike<number>, X: Matrix): Matrix {
    checkPoint(this.kernelName, x, this.dim);
    checkInputs(this.kernelName, 'X', X, this.dim);
    const d = this.dim;
    const n = X.rows;
    const inv = this.inverseLengthscales;
    const z = new Float64Array(d);
    for (let t = 0; t < d; t++) {
      const v = x[t]!;
      if (!Number.isFinite(v)) throw new InputDataError(`${this.kernelName}: x[${t}] must be finite, got ${v}`);
      z[t] = v * inv[t]!;
    }
    const Z = this.scaleInputs(X, 'X');
    const s = this.scratch;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      const zi = i * d;
      let r2 = 0;
      for (let t = 0; t < d; t++) {
        const u = z[t]! - Z[zi + t]!;
        r2 += u * u;
      }
      if (r2 === 0) continue;
      this.profileWithDerivative(r2, s);
      const f = 2 * s[1]!;
      for (let t = 0; t < d; t++) out[zi + t] = f * (z[t]! - Z[zi + t]!) * inv[t]!;
    }
    return { rows: n, cols: d, data: out };
  }

  private updateInverseLengthscales(): void {
    for (let t = 0; t < this.dim; t++) {
      this.inverseLengthscales[t] = 1 / this.lengthscaleValues[this.ard ? t : 0]!;
    }
  }

  /** `Z = X / l` column-wise (`n x d`, a new buffer); rejects non-finite inputs (InputDataError). */
  private scaleInputs(X: Matrix, name: string): Float64Array {
    const d = this.dim;
    const inv = this.inverseLengthscales;
    const x = X.data;
    const Z = new Float64Array(X.rows * d);
    for (let i = 0; i < X.rows; i++) {
      for (let t = 0; t < d; t++) {
        const v = x[i * d + t]!;
        if (!Number.isFinite(v)) {
          throw new InputDataError(`${this.kernelName}: ${name}[${i}, ${t}] must be finite, got ${v}`);
        }
        Z[i * d + t] = v * inv[t]!;
      }
    }
    return Z;
  }
}
