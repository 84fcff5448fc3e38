import type { DifferentiableModel } from '../../models/model.js';
import { AnalyticAcquisitionFunction, type AnalyticAcquisitionOptions, type PointUtility } from './analytic-acquisition.js';

/**
 * The posterior mean of the latent f (pure exploitation), for q = 1 at `b x 1 x d` points:
 * `μ(x)`, or `-μ(x)` when minimising. The gradient needs the mean only, so the model's backward
 * pass skips the covariance.
 */
export class PosteriorMean extends AnalyticAcquisitionFunction {
  readonly name: string = 'PosteriorMean';
  protected readonly monteCarloVariant: string = 'qSimpleRegret';

  constructor(model: DifferentiableModel, options: AnalyticAcquisitionOptions = {}) {
    super(model, options);
  }

  protected utility(mean: number): PointUtility {
    return { value: mean, dMean: 1, dSd: 0 };
  }
}
