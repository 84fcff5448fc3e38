import type { Matrix } from '../linalg/matrix.js';
import { accumulateHyperparameterGradient, type GradientContraction } from './gradient-contraction.js';
import type { Kernel } from './kernel.js';
import { checkHyperparameters, checkInputs, checkPositive, checkWeights } from './kernel-checks.js';

/** Options of {@link ScaleKernel}. */
export interface ScaleKernelOptions {
  /** Initial outputscale s, positive and finite. Default 1. */
  outputscale?: number;
}

/**
 * `k(x, x') = s * k_base(x, x')` with outputscale `s > 0`.
 *
 * Raw hyperparameters: `[log s, ...base]` — the log outputscale first (named `outputscale`), then
 * the base kernel's, each prefixed `base.` (e.g. `base.lengthscale[0]`). Gradients:
 *
 *     dK/dlog s = s * K_base,     dK/dtheta_base = s * dK_base/dtheta_base.
 */
export class ScaleKernel implements Kernel, GradientContraction {
  readonly dim: number;
  readonly numHyperparameters: number;
  /** The wrapped kernel (shared, not copied: setting hyperparameters here sets them there). */
  readonly base: Kernel;
  private logOutputscale: number;
  /** `exp(logOutputscale)`, kept exact when set from a positive value. */
  private scale: number;

  /**
   * @param base the kernel to scale.
   * @param options `outputscale` (default 1).
   */
  constructor(base: Kernel, options: ScaleKernelOptions = {}) {
    const s = options.outputscale ?? 1;
    checkPositive('ScaleKernel', 'outputscale', s);
    this.base = base;
    this.dim = base.dim;
    this.numHyperparameters = 1 + base.numHyperparameters;
    this.logOutputscale = Math.log(s);
    this.scale = s;
  }

  /** The outputscale s (positive, not its log). */
  get outputscale(): number {
    return this.scale;
  }

  hyperparameterNames(): string[] {
    return ['outputscale', ...this.base.hyperparameterNames().map((name) => `base.${name}`)];
  }

  getHyperparameters(): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    out[0] = this.logOutputscale;
    out.set(this.base.getHyperparameters(), 1);
    return out;
  }

  setHyperparameters(theta: ArrayLike<number>): void {
    checkHyperparameters('ScaleKernel', theta, this.numHyperparameters);
    const values = Float64Array.from(theta);
    this.base.setHyperparameters(values.subarray(1));
    this.logOutputscale = values[0]!;
    this.scale = Math.exp(this.logOutputscale);
  }

  /** `s * K_base(X1, X2)`: `n1 x n2`. */
  covariance(X1: Matrix, X2: Matrix): Matrix {
    const K = this.base.covariance(X1, X2);
    const s = this.outputscale;
    const data = K.data;
    for (let i = 0; i < data.length; i++) data[i]! *= s;
    return K;
  }

  /** `s * diag K_base(X, X)`: length n. */
  diagonal(X: Matrix): Float64Array {
    const diag = this.base.diagonal(X);
    const s = this.outputscale;
    for (let i = 0; i < diag.length; i++) diag[i]! *= s;
    return diag;
  }

  /** `[s * sum(W ∘ K_base), s * g_base]`: length `numHyperparameters`. */
  hyperparameterGradient(X: Matrix, W: Matrix): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    this.accumulateHyperparameterGradient(X, W, 1, out, 0);
    return out;
  }

  accumulateHyperparameterGradient(X: Matrix, W: Matrix, c: number, out: Float64Array, offset: number): number {
    checkInputs('ScaleKernel', 'X', X, this.dim);
    checkWeights('ScaleKernel', X, W);
    const s = this.outputscale;
    const baseContraction = accumulateHyperparameterGradient(this.base, X, W, c * s, out, offset + 1);
    out[offset]! += c * s * baseContraction;
    return s * baseContraction;
  }

  /** `s * dk_base(x, X_i)/dx`: `n x d`. */
  inputGradient(x: ArrayLike<number>, X: Matrix): Matrix {
    const G = this.base.inputGradient(x, X);
    const s = this.outputscale;
    const data = G.data;
    for (let i = 0; i < data.length; i++) data[i]! *= s;
    return G;
  }
}
