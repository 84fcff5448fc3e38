import { InputDataError } from '../../errors/errors.js';
import type { DifferentiableModel } from '../../models/model.js';
import { AnalyticAcquisitionFunction, type AnalyticAcquisitionOptions, type PointUtility } from './analytic-acquisition.js';

/** Options of {@link UpperConfidenceBound}. */
export interface UpperConfidenceBoundOptions extends AnalyticAcquisitionOptions {
  /** The exploration weight β ≥ 0 (BoTorch's `beta`: the bound is μ + √β σ, not μ + β σ). */
  beta: number;
}

/**
 * Upper confidence bound (Srinivas et al. 2010), for q = 1 at `b x 1 x d` points:
 *
 *   UCB(x) = μ + √β σ   (`-μ + √β σ` when minimising, as BoTorch),
 *
 * with μ, σ the posterior mean and standard deviation of the latent f.
 * Partials: `∂/∂μ = 1`, `∂/∂σ = √β`.
 */
export class UpperConfidenceBound extends AnalyticAcquisitionFunction {
  readonly name: string = 'UpperConfidenceBound';
  protected readonly monteCarloVariant: string = 'qUpperConfidenceBound';
  /** β as given. */
  readonly beta: number;
  private readonly sqrtBeta: number;

  constructor(model: DifferentiableModel, options: UpperConfidenceBoundOptions) {
    super(model, options);
    const { beta } = options;
    if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
      throw new InputDataError(`UpperConfidenceBound: beta is ${String(beta)}; expected a finite number >= 0`);
    }
    this.beta = beta;
    this.sqrtBeta = Math.sqrt(beta);
  }

  protected utility(mean: number, sd: number): PointUtility {
    return { value: mean + this.sqrtBeta * sd, dMean: 1, dSd: this.sqrtBeta };
  }
}
