import type { DifferentiableModel } from '../../models/model.js';
import { dLogNormalCdf, logNormalCdf, normalCdf, normalPdf } from '../../math/normal.js';
import { AnalyticAcquisitionFunction, checkBestF, type PointUtility } from './analytic-acquisition.js';
import type { ImprovementOptions } from './expected-improvement.js';

/**
 * Analytic probability of improvement over f* (Kushner 1964), for q = 1 at `b x 1 x d` points:
 *
 *   PI(x) = P(f(x) > f*) = Φ(z),   z = (μ - f*)/σ   (`(f* - μ)/σ` when minimising).
 *
 * Partials: `∂/∂μ = φ(z)/σ`, `∂/∂σ = -z φ(z)/σ`.
 */
export class ProbabilityOfImprovement extends AnalyticAcquisitionFunction {
  readonly name: string = 'ProbabilityOfImprovement';
  protected readonly monteCarloVariant: string = 'qProbabilityOfImprovement';
  /** f*, in f's units as given. */
  readonly bestF: number;

  constructor(model: DifferentiableModel, options: ImprovementOptions) {
    super(model, options);
    this.bestF = checkBestF('ProbabilityOfImprovement', options.bestF);
  }

  protected utility(mean: number, sd: number): PointUtility {
    const z = (mean - this.toObjective(this.bestF)) / sd;
    const pdf = normalPdf(z);
    return { value: normalCdf(z), dMean: pdf / sd, dSd: (-z * pdf) / sd };
  }
}

/**
 * Logarithm of the probability of improvement, for q = 1 at `b x 1 x d` points:
 *
 *   LogPI(x) = log Φ(z),   z = (μ - f*)/σ,
 *
 * evaluated by {@link logNormalCdf}, finite where PI underflows. Partials, with
 * `λ(z) = φ(z)/Φ(z)`: `∂/∂μ = λ(z)/σ`, `∂/∂σ = -z λ(z)/σ`.
 */
export class LogProbabilityOfImprovement extends AnalyticAcquisitionFunction {
  readonly name: string = 'LogProbabilityOfImprovement';
  protected readonly monteCarloVariant: string = 'qProbabilityOfImprovement (on the probability scale)';
  /** f*, in f's units as given. */
  readonly bestF: number;

  constructor(model: DifferentiableModel, options: ImprovementOptions) {
    super(model, options);
    this.bestF = checkBestF('LogProbabilityOfImprovement', options.bestF);
  }

  protected utility(mean: number, sd: number): PointUtility {
    const z = (mean - this.toObjective(this.bestF)) / sd;
    const ratio = dLogNormalCdf(z);
    return { value: logNormalCdf(z), dMean: ratio / sd, dSd: (-z * ratio) / sd };
  }
}
