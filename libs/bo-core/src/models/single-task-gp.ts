import { InputDataError, ShapeError } from '../errors/errors.js';
import type { Kernel } from '../kernels/kernel.js';
import { solveLowerMatrix, solveLowerTransposeMatrix } from '../linalg/index.js';
import type { Matrix } from '../linalg/matrix.js';
import { GaussianPosterior } from '../posteriors/gaussian-posterior.js';
import type { Posterior, QBatch } from '../posteriors/posterior.js';
import type { Prior } from '../priors/prior.js';
import type { InputTransform } from '../transforms/input-transform.js';
import type { OutcomeTransform } from '../transforms/outcome-transform.js';
import { exactMarginalLogLikelihood, type MarginalLogLikelihoodResult } from './exact-marginal-log-likelihood.js';
import type { DifferentiableModel, PosteriorOptions } from './model.js';

/** A prior on one positive hyperparameter, stored as its log at `index` in the raw vector. */
export interface HyperparameterPrior {
  index: number;
  prior: Prior;
}

export interface SingleTaskGPOptions {
  /** The covariance function, over the model-space (transformed) inputs. */
  kernel: Kernel;
  /** Maps user inputs to model space (Normalize); `null` for identity. */
  inputTransform: InputTransform | null;
  /** Maps outcomes to the modelled scale (Standardize); `null` for identity. */
  outcomeTransform: OutcomeTransform | null;
  /**
   * Known observation noise variances (length n, the user's units): noise is then not inferred.
   * Needs an affine outcome transform (or none).
   */
  noiseVariances?: ArrayLike<number>;
  /** Initial inferred noise variance (modelled units). @defaultValue 1e-2 */
  initialNoise?: number;
  /** Initial constant mean (modelled units). @defaultValue 0 */
  initialMean?: number;
  /** Priors on the kernel's raw hyperparameters, by index into the kernel's vector. @defaultValue none */
  kernelPriors?: HyperparameterPrior[];
  /** Prior on the inferred noise variance. @defaultValue none */
  noisePrior?: Prior | null;
}

/**
 * Exact Gaussian-process regression, the SingleTaskGP equivalent: constant mean, a kernel over
 * normalised inputs, homoskedastic inferred noise (or known per-point noise), standardised outcomes.
 *
 * Raw hyperparameter vector (what fitting optimises): the kernel's raw vector, then
 * `log noise` when noise is inferred, then the mean constant `c`.
 */
export class SingleTaskGP implements DifferentiableModel {
  readonly dim: number;
  readonly numTrain: number;
  readonly kernel: Kernel;
  readonly inputTransform: InputTransform | null;
  readonly outcomeTransform: OutcomeTransform | null;
  readonly kernelPriors: readonly HyperparameterPrior[];
  readonly noisePrior: Prior | null;
  /** Training inputs in the user's space, `n x d`. */
  readonly trainX: Matrix;
  /** Training outcomes in the user's units, length n. */
  readonly trainY: Float64Array;
  /** Training inputs in model space, `n x d`. */
  readonly modelX: Matrix;
  /** Training targets in the modelled scale, length n. */
  readonly modelY: Float64Array;
  /** Log |dz/dy| of the outcome transform at the training outcomes. */
  readonly outcomeLogDetJacobian: number;
  private readonly knownNoise: Float64Array | null;
  private logNoise: number;
  private meanConstant: number;
  private cache: MarginalLogLikelihoodResult | null = null;

  /**
   * @param X `n x d` training inputs, the user's space.
   * @param y length n training outcomes.
   */
  constructor(X: Matrix, y: ArrayLike<number>, options: SingleTaskGPOptions) {
    if (X.rows !== y.length) throw new ShapeError(`SingleTaskGP: X has ${X.rows} rows but y has ${y.length} values; give one outcome per point`);
    if (X.rows === 0) throw new InputDataError('SingleTaskGP: no training points; give at least one');
    if (options.kernel.dim !== X.cols) throw new ShapeError(`SingleTaskGP: the kernel is for d = ${options.kernel.dim} but X has ${X.cols} columns`);
    this.dim = X.cols;
    this.numTrain = X.rows;
    this.kernel = options.kernel;
    this.inputTransform = options.inputTransform;
    this.outcomeTransform = options.outcomeTransform;
    this.kernelPriors = options.kernelPriors ?? [];
    this.noisePrior = options.noisePrior ?? null;
    this.trainX = X;
    this.trainY = Float64Array.from(y);
    this.modelX = this.inputTransform ? this.inputTransform.transform(X) : X;
    if (this.outcomeTransform) {
      this.outcomeTransform.fit(this.trainY);
      const fwd = this.outcomeTransform.forward(this.trainY);
      this.modelY = fwd.z;
      this.outcomeLogDetJacobian = fwd.logDetJacobian;
    } else {
      this.modelY = this.trainY.slice();
      this.outcomeLogDetJacobian = 0;
    }
    if (options.noiseVariances) {
      if (options.noiseVariances.length !== X.rows) {
        throw new ShapeError(`SingleTaskGP: ${options.noiseVariances.length} noise variances for ${X.rows} points`);
      }
      const scale = this.outcomeTransform ? this.outcomeTransform.affineScale() : 1;
      this.knownNoise = Float64Array.from(options.noiseVariances, (v, i) => {
        if (!(v >= 0) || !Number.isFinite(v)) throw new InputDataError(`SingleTaskGP: noise variance ${i} is ${v}; expected a finite value >= 0`);
        return v / (scale * scale);
      });
    } else {
      this.knownNoise = null;
    }
    this.logNoise = Math.log(options.initialNoise ?? 1e-2);
    this.meanConstant = options.initialMean ?? 0;
  }

  /** True when the noise variance is a fitted hyperparameter. */
  get infersNoise(): boolean {
    return this.knownNoise === null;
  }

  /** The inferred noise variance in modelled units (NaN with known noise). */
  get noiseVariance(): number {
    return this.knownNoise ? NaN : Math.exp(this.logNoise);
  }

  /** The constant mean in modelled units. */
  get mean(): number {
    return this.meanConstant;
  }

  /** Length of the raw hyperparameter vector. */
  get numHyperparameters(): number {
    return this.kernel.numHyperparameters + (this.knownNoise ? 0 : 1) + 1;
  }

  /** Names of the raw hyperparameters, in order. */
  hyperparameterNames(): string[] {
    const names = this.kernel.hyperparameterNames().map((s) => `kernel.${s}`);
    if (!this.knownNoise) names.push('log_noise');
    names.push('mean_constant');
    return names;
  }

  /** A copy of the raw hyperparameter vector. */
  getHyperparameters(): Float64Array {
    const out = new Float64Array(this.numHyperparameters);
    out.set(this.kernel.getHyperparameters());
    let k = this.kernel.numHyperparameters;
    if (!this.knownNoise) out[k++] = this.logNoise;
    out[k] = this.meanConstant;
    return out;
  }

  /** Sets the raw hyperparameter vector and drops the cached factorisation. */
  setHyperparameters(theta: ArrayLike<number>): void {
    if (theta.length !== this.numHyperparameters) {
      throw new ShapeError(`SingleTaskGP: expected ${this.numHyperparameters} hyperparameters, got ${theta.length}`);
    }
    const nk = this.kernel.numHyperparameters;
    this.kernel.setHyperparameters(Array.prototype.slice.call(theta, 0, nk) as number[]);
    let k = nk;
    if (!this.knownNoise) this.logNoise = theta[k++]!;
    this.meanConstant = theta[k]!;
    this.cache = null;
  }

  /** Noise variances of the training points in modelled units, length n. */
  trainNoise(): Float64Array {
    return this.knownNoise ? this.knownNoise : new Float64Array(this.numTrain).fill(Math.exp(this.logNoise));
  }

  /**
   * The MAP objective at the current hyperparameters: `log p(z | theta) + log|dz/dy| + log p(theta)`,
   * i.e. the log joint density of the *original* outcomes and the hyperparameters. With
   * `withGradients`, its gradient with respect to the raw hyperparameter vector.
   */
  logPosterior(withGradients: boolean): { value: number; grad?: Float64Array } {
    const mll = exactMarginalLogLikelihood(this.kernel, this.modelX, this.modelY, this.trainNoise(), this.meanConstant, withGradients);
    this.cache = mll;
    let value = mll.value + this.outcomeLogDetJacobian;
    const theta = this.getHyperparameters();
    const grad = withGradients ? new Float64Array(theta.length) : undefined;
    if (grad) {
      grad.set(mll.gradKernel!);
      let k = this.kernel.numHyperparameters;
      if (!this.knownNoise) {
        let tr = 0;
        for (const g of mll.gradNoise!) tr += g;
        grad[k++] = tr * Math.exp(this.logNoise);
      }
      grad[k] = mll.gradMean!;
    }
    for (const { index, prior } of this.kernelPriors) {
      const v = Math.exp(theta[index]!);
      value += prior.logProb(v);
      if (grad) grad[index]! += prior.gradLogProb(v) * v;
    }
    if (this.noisePrior && !this.knownNoise) {
      const v = Math.exp(this.logNoise);
      value += this.noisePrior.logProb(v);
      if (grad) grad[this.kernel.numHyperparameters]! += this.noisePrior.gradLogProb(v) * v;
    }
    return grad ? { value, grad } : { value };
  }

  /** Factorisation at the current hyperparameters (computed on first use): `L`, `alpha`, jitter. */
  factorisation(): MarginalLogLikelihoodResult {
    return this.state();
  }

  private state(): MarginalLogLikelihoodResult {
    if (!this.cache) this.cache = exactMarginalLogLikelihood(this.kernel, this.modelX, this.modelY, this.trainNoise(), this.meanConstant, false);
    return this.cache;
  }

  /** Jitter the factorisation needed at the current hyperparameters (0 when none). */
  get jitter(): number {
    return this.state().jitter;
  }

  posterior(X: QBatch, options: PosteriorOptions = {}): Posterior {
    if (X.d !== this.dim) throw new ShapeError(`posterior: expected points with d = ${this.dim}, got d = ${X.d}`);
    const { b, q } = X;
    const pts: Matrix = { rows: b * q, cols: X.d, data: X.data };
    const { mean, cov } = this.latentJoint(pts, q);
    if (options.observationNoise) {
      const nv = this.testNoise();
      for (let i = 0; i < b; i++) for (let j = 0; j < q; j++) cov[i * q * q + j * q + j]! += nv;
    }
    if (this.outcomeTransform) {
      const s = this.outcomeTransform.affineScale();
      const m = this.outcomeTransform.inverse(mean);
      for (let i = 0; i < cov.length; i++) cov[i]! *= s * s;
      return new GaussianPosterior(b, q, m, cov);
    }
    return new GaussianPosterior(b, q, mean, cov);
  }

  predict(X: Matrix, options: PosteriorOptions = {}): { mean: Float64Array; variance: Float64Array } {
    const post = this.posterior({ b: X.rows, q: 1, d: X.cols, data: X.data }, options);
    return { mean: post.mean, variance: post.variance() };
  }

  /** Noise variance added for a new observation (modelled units): the inferred one, or the mean known one. */
  private testNoise(): number {
    if (!this.knownNoise) return Math.exp(this.logNoise);
    let s = 0;
    for (const v of this.knownNoise) s += v;
    return s / this.knownNoise.length;
  }

  /**
   * Reverse mode through {@link SingleTaskGP.posterior}, in modelled units after undoing the
   * outcome scale `s` (`gm_z = s gm_y`, `gC_z = s^2 gC_y`):
   *
   *   mean_j = c + sum_i Ks_ij alpha_i                 => dKs_ij += gm_j alpha_i
   *   C_b = Kss_b - Ks_b^T Ky^-1 Ks_b                  => dKss_b = gC_b, dKs_b -= Ky^-1 Ks_b (gC_b + gC_b^T)
   *   Ks_ij = k(x_j, X_i), Kss_jk = k(x_j, x_k)        => dx_j = sum_i dKs_ij d1k(x_j, X_i) + sum_k (gC_jk + gC_kj) d1k(x_j, x_k)
   *
   * then through the input transform's diagonal Jacobian. Noise added to the covariance is constant.
   */
  posteriorBackward(X: QBatch, gradMean: Float64Array, gradCovariance: Float64Array | null): Float64Array {
    const { b, q, d } = X;
    if (d !== this.dim) throw new ShapeError(`posteriorBackward: expected points with d = ${this.dim}, got d = ${d}`);
    const m = b * q;
    if (gradMean.length !== m) throw new ShapeError(`posteriorBackward: gradMean has ${gradMean.length} values, expected b * q = ${m}`);
    if (gradCovariance && gradCovariance.length !== m * q) {
      throw new ShapeError(`posteriorBackward: gradCovariance has ${gradCovariance.length} values, expected b * q * q = ${m * q}`);
    }
    const { L, alpha } = this.state();
    const n = this.numTrain;
    const s = this.outcomeTransform ? this.outcomeTransform.affineScale() : 1;
    const points: Matrix = { rows: m, cols: d, data: X.data };
    const Z = this.inputTransform ? this.inputTransform.transform(points) : points;
    // dKs as an n x m matrix.
    const dKs = new Float64Array(n * m);
    for (let i = 0; i < n; i++) {
      const ai = alpha[i]!;
      for (let j = 0; j < m; j++) dKs[i * m + j] = s * gradMean[j]! * ai;
    }
    const gradZ = new Float64Array(m * d);
    if (gradCovariance) {
      const s2 = s * s;
      const Ks = this.kernel.covariance(this.modelX, Z); // n x m
      const A = solveLowerTransposeMatrix(L, solveLowerMatrix(L, Ks)); // Ky^-1 Ks, n x m
      for (let t = 0; t < b; t++) {
        // G = s^2 (gC_b + gC_b^T), q x q
        const G = new Float64Array(q * q);
        for (let j = 0; j < q; j++) {
          for (let k = 0; k < q; k++) G[j * q + k] = s2 * (gradCovariance[t * q * q + j * q + k]! + gradCovariance[t * q * q + k * q + j]!);
        }
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < q; k++) {
            let acc = 0;
            for (let j = 0; j < q; j++) acc += A.data[i * m + t * q + j]! * G[j * q + k]!;
            dKs[i * m + t * q + k]! -= acc;
          }
        }
        const block: Matrix = { rows: q, cols: d, data: Z.data.subarray(t * q * d, (t + 1) * q * d) };
        for (let j = 0; j < q; j++) {
          const gk = this.kernel.inputGradient(block.data.subarray(j * d, (j + 1) * d), block); // q x d
          for (let k = 0; k < q; k++) {
            const w = G[j * q + k]!;
            if (w === 0) continue;
            for (let l = 0; l < d; l++) gradZ[(t * q + j) * d + l]! += w * gk.data[k * d + l]!;
          }
        }
      }
    }
    for (let j = 0; j < m; j++) {
      const gk = this.kernel.inputGradient(Z.data.subarray(j * d, (j + 1) * d), this.modelX); // n x d
      for (let i = 0; i < n; i++) {
        const w = dKs[i * m + j]!;
        if (w === 0) continue;
        for (let l = 0; l < d; l++) gradZ[j * d + l]! += w * gk.data[i * d + l]!;
      }
    }
    if (this.inputTransform) {
      const jac = this.inputTransform.jacobianDiagonal();
      for (let j = 0; j < m; j++) for (let l = 0; l < d; l++) gradZ[j * d + l]! *= jac[l]!;
    }
    return gradZ;
  }

  /**
   * Latent posterior in modelled units at `m = b * q` points (user space), grouped in blocks of q:
   * `mean = c + K*^T alpha`, `cov_block = K** - V^T V` with `V = L^-1 K*`.
   */
  private latentJoint(points: Matrix, q: number): { mean: Float64Array; cov: Float64Array } {
    const { L, alpha } = this.state();
    const Z = this.inputTransform ? this.inputTransform.transform(points) : points;
    const m = Z.rows;
    const n = this.numTrain;
    const Ks = this.kernel.covariance(this.modelX, Z); // n x m
    const mean = new Float64Array(m);
    for (let j = 0; j < m; j++) mean[j] = this.meanConstant;
    for (let i = 0; i < n; i++) {
      const ai = alpha[i]!;
      const off = i * m;
      for (let j = 0; j < m; j++) mean[j]! += Ks.data[off + j]! * ai;
    }
    const V = solveLowerMatrix(L, Ks); // n x m
    const b = m / q;
    const cov = new Float64Array(b * q * q);
    for (let t = 0; t < b; t++) {
      const block: Matrix = { rows: q, cols: Z.cols, data: Z.data.subarray(t * q * Z.cols, (t + 1) * q * Z.cols) };
      const Kss = this.kernel.covariance(block, block);
      for (let j = 0; j < q; j++) {
        for (let k = 0; k <= j; k++) {
          let acc = 0;
          const cj = t * q + j;
          const ck = t * q + k;
          for (let i = 0; i < n; i++) acc += V.data[i * m + cj]! * V.data[i * m + ck]!;
          const v = Kss.data[j * q + k]! - acc;
          cov[t * q * q + j * q + k] = v;
          cov[t * q * q + k * q + j] = v;
        }
      }
    }
    return { mean, cov };
  }
}
