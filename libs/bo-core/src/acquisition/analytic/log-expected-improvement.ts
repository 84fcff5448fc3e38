import type { DifferentiableModel } from '../../models/model.js';
import { dLogH, logH, phiOverH } from '../../math/normal.js';
import { AnalyticAcquisitionFunction, checkBestF, type PointUtility } from './analytic-acquisition.js';
import type { ImprovementOptions } from './expected-improvement.js';

/**
 * Logarithm of analytic expected improvement (Ament et al. 2023, "Unexpected Improvements to
 * Expected Improvement"), for q = 1 at `b x 1 x d` points:
 *
 *   LogEI(x) = log h(z) + log σ,   z = (μ - f*)/σ,   h(z) = φ(z) + z Φ(z),
 *
 * with `log h` evaluated without forming h (see {@link logH}), so values and gradients stay
 * finite and informative where EI underflows (LogEI ≈ -z²/2 - 2 log|z| + log σ - ½ log 2π for
 * z ≪ 0). Partials: `∂/∂μ = (Φ(z)/h(z)) / σ`, `∂/∂σ = (φ(z)/h(z)) / σ` (from
 * `∂/∂σ = (1 - z Φ/h)/σ` and `h - zΦ = φ`, which avoids a cancellation for z > 0).
 */
export class LogExpectedImprovement extends AnalyticAcquisitionFunction {
  readonly name: string = 'LogExpectedImprovement';
  protected readonly monteCarloVariant: string = 'qLogExpectedImprovement';
  /** f*, in f's units as given. */
  readonly bestF: number;

  constructor(model: DifferentiableModel, options: ImprovementOptions) {
    super(model, options);
    this.bestF = checkBestF('LogExpectedImprovement', options.bestF);
  }

  protected utility(mean: number, sd: number): PointUtility {
    const z = (mean - this.toObjective(this.bestF)) / sd;
    return { value: logH(z) + Math.log(sd), dMean: dLogH(z) / sd, dSd: phiOverH(z) / sd };
  }
}
