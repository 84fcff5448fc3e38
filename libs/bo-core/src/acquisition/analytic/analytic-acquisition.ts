import { InputDataError, ShapeError } from '../../errors/errors.js';
import type { DifferentiableModel } from '../../models/model.js';
import type { QBatch } from '../../posteriors/posterior.js';
import type { AcquisitionFunction } from '../acquisition.js';

/** Options shared by every analytic acquisition function. */
export interface AnalyticAcquisitionOptions {
  /**
   * Maximise the outcome f (true) or minimise it (false). Minimising is handled as BoTorch does:
   * the function is applied to the objective `-f`, whose posterior mean is `-μ` (the standard
   * deviation is unchanged), and an incumbent `bestF` given in f's units is negated with it.
   * @defaultValue true
   */
  maximize?: boolean;
}

/** One point's utility and its partial derivatives in the (signed) mean and standard deviation. */
export interface PointUtility {
  value: number;
  /** ∂value/∂μ, μ the posterior mean of the objective (already negated when minimising). */
  dMean: number;
  /** ∂value/∂σ, σ the posterior standard deviation. */
  dSd: number;
}

/**
 * Floor on the posterior variance before its square root is taken, as BoTorch's
 * `clamp_min(1e-12)`: σ = √max(v, 1e-12) ≥ 1e-6. Below the floor σ is constant, so its gradient
 * with respect to the inputs is zero there (the same as the clamp's subgradient).
 */
export const MIN_POSTERIOR_VARIANCE = 1e-12;

/**
 * Base of the analytic (closed-form, q = 1) acquisition functions, a template method: the base
 * checks shapes, takes the posterior of the latent f at a `b x 1 x d` batch (no observation
 * noise), forms the objective's mean `μ` (`-mean` when minimising) and `σ = √max(var, 1e-12)`,
 * and chains gradients back through the model; a subclass supplies only
 * {@link AnalyticAcquisitionFunction.utility}, the value at one point as a function of (μ, σ).
 *
 * Gradient: with `g_μ = ∂u/∂μ` and `g_σ = ∂u/∂σ`, the model receives
 * `∂u/∂mean = ±g_μ` (b x 1) and `∂u/∂cov = g_σ / (2σ)` on each 1 x 1 block (b x 1 x 1), because
 * `σ = √var`, and returns ∂u/∂X (b x 1 x d).
 */
export abstract class AnalyticAcquisitionFunction implements AcquisitionFunction {
  readonly dim: number;
  readonly model: DifferentiableModel;
  readonly maximize: boolean;
  /** The class name, for error messages. */
  abstract readonly name: string;
  /** The Monte-Carlo function to use for q > 1, named in the q-shape error. */
  protected abstract readonly monteCarloVariant: string;

  protected constructor(model: DifferentiableModel, options: AnalyticAcquisitionOptions = {}) {
    this.model = model;
    this.dim = model.dim;
    this.maximize = options.maximize ?? true;
  }

  /**
   * The acquisition value at one point and its partials.
   * @param mean μ, the posterior mean of the objective (f, or -f when minimising).
   * @param sd σ ≥ 1e-6, the posterior standard deviation.
   */
  protected abstract utility(mean: number, sd: number): PointUtility;

  /** Maps a value in f's units to the objective's: `v` when maximising, `-v` when minimising. */
  protected toObjective(v: number): number {
    return this.maximize ? v : -v;
  }

  /**
   * Posterior mean and standard deviation of f (the user's units, not negated) at a `b x 1 x d`
   * batch, as the functions see them (σ floored, see {@link MIN_POSTERIOR_VARIANCE}).
   * @returns `mean`, `sd` (each length b) and `variance` (length b, before the floor).
   */
  meanAndSd(X: QBatch): { mean: Float64Array; sd: Float64Array; variance: Float64Array } {
    this.checkInput(X);
    const post = this.model.posterior(X);
    const variance = Float64Array.from(post.covariance);
    const sd = variance.map((v) => Math.sqrt(Math.max(v, MIN_POSTERIOR_VARIANCE)));
    return { mean: Float64Array.from(post.mean), sd, variance };
  }

  /** Values at a `b x 1 x d` batch: length b. */
  forward(X: QBatch): Float64Array {
    const { mean, sd } = this.meanAndSd(X);
    const values = new Float64Array(X.b);
    for (let i = 0; i < X.b; i++) values[i] = this.utility(this.toObjective(mean[i]!), sd[i]!).value;
    return values;
  }

  /** Values (length b) and their gradient with respect to X (`b x 1 x d`). */
  forwardWithGradient(X: QBatch): { values: Float64Array; gradient: Float64Array } {
    const { mean, sd, variance } = this.meanAndSd(X);
    const { b } = X;
    const values = new Float64Array(b);
    if (b === 0) return { values, gradient: new Float64Array(0) };
    const gradMean = new Float64Array(b);
    const gradCov = new Float64Array(b);
    const sign = this.maximize ? 1 : -1;
    let usesSd = false;
    for (let i = 0; i < b; i++) {
      const s = sd[i]!;
      const u = this.utility(sign * mean[i]!, s);
      values[i] = u.value;
      gradMean[i] = sign * u.dMean;
      if (variance[i]! > MIN_POSTERIOR_VARIANCE && u.dSd !== 0) {
        gradCov[i] = u.dSd / (2 * s);
        usesSd = true;
      }
    }
    const gradient = this.model.posteriorBackward(X, gradMean, usesSd ? gradCov : null);
    return { values, gradient };
  }

  private checkInput(X: QBatch): void {
    const { b, q, d, data } = X;
    if (q !== 1) {
      throw new ShapeError(
        `${this.name}: analytic acquisition functions take one point per t-batch (b x 1 x d), got q = ${q}; ` +
          `use the Monte-Carlo ${this.monteCarloVariant} for joint q-batches with q > 1`,
      );
    }
    if (d !== this.dim) throw new ShapeError(`${this.name}: expected points with d = ${this.dim} (the model's dimension), got d = ${d}`);
    if (data.length !== b * q * d) {
      throw new ShapeError(`${this.name}: X.data has ${data.length} values, expected b * q * d = ${b * q * d}`);
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) {
        throw new InputDataError(`${this.name}: X[${Math.floor(i / d)}][0][${i % d}] is ${data[i]}; expected finite coordinates`);
      }
    }
  }
}

/** Checks an incumbent value `bestF` (f's units): finite. */
export function checkBestF(name: string, bestF: number): number {
  if (typeof bestF !== 'number' || !Number.isFinite(bestF)) {
    throw new InputDataError(`${name}: bestF is ${String(bestF)}; expected a finite number (the best observed value of f)`);
  }
  return bestF;
}
