import type { DifferentiableModel } from '../../models/model.js';
import { eiH, normalCdf, normalPdf } from '../../math/normal.js';
import { AnalyticAcquisitionFunction, checkBestF, type AnalyticAcquisitionOptions, type PointUtility } from './analytic-acquisition.js';

/** Options of the improvement-based functions (EI, LogEI, PI, LogPI). */
export interface ImprovementOptions extends AnalyticAcquisitionOptions {
  /**
   * The incumbent f*, in f's units: usually the best observed value (the largest when
   * maximising, the smallest when minimising). Must be finite.
   */
  bestF: number;
}

/**
 * Analytic expected improvement over f* at `b x 1 x d` points (Jones et al. 1998), for q = 1:
 *
 *   EI(x) = E[max(f(x) - f*, 0)] = σ h(z),   z = (μ - f*)/σ,   h(z) = φ(z) + z Φ(z),
 *
 * with μ, σ the posterior mean and standard deviation of the latent f (when minimising,
 * `z = (f* - μ)/σ`). Partials: `∂EI/∂μ = Φ(z)`, `∂EI/∂σ = φ(z)`.
 *
 * EI underflows to 0 (with a zero gradient) once z falls below about -38, which stalls
 * gradient-based optimisation far from the incumbent; prefer {@link LogExpectedImprovement}.
 */
export class ExpectedImprovement extends AnalyticAcquisitionFunction {
  readonly name: string = 'ExpectedImprovement';
  protected readonly monteCarloVariant: string = 'qExpectedImprovement';
  /** f*, in f's units as given. */
  readonly bestF: number;

  constructor(model: DifferentiableModel, options: ImprovementOptions) {
    super(model, options);
    this.bestF = checkBestF('ExpectedImprovement', options.bestF);
  }

  protected utility(mean: number, sd: number): PointUtility {
    const z = (mean - this.toObjective(this.bestF)) / sd;
    return { value: sd * eiH(z), dMean: normalCdf(z), dSd: normalPdf(z) };
  }
}
