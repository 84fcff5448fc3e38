import type { DifferentiableModel } from '../../models/model.js';
import { checkBestF, type BestFOptions } from './q-expected-improvement.js';
import { MCAcquisitionFunction, type SampleContext } from './mc-acquisition.js';
import { logFatplus } from './smooth-math.js';

/** Temperatures of the log-improvement family (BoTorch's defaults). */
export interface LogImprovementOptions {
  /** Smoothing of the ReLU of the improvement. @defaultValue 1e-6 */
  tauRelu?: number;
  /** Smoothing of the max over the q-batch. @defaultValue 1e-2 */
  tauMax?: number;
}

/**
 * qLogExpectedImprovement (Ament et al. 2023): a numerically smooth `log qEI`,
 *
 *   logmeanexp_s fatmax_j log fatplus(f_sj - best_f; tauRelu)   (+ log feasibility per point),
 *
 * whose gradients stay informative where qEI is numerically zero.
 */
export class qLogExpectedImprovement extends MCAcquisitionFunction {
  private readonly bestF: number;
  private readonly tauRelu: number;
  private readonly tauMax: number;

  constructor(model: DifferentiableModel, options: BestFOptions & LogImprovementOptions) {
    super(model, options);
    this.bestF = this.sign * checkBestF(options.bestF);
    this.tauRelu = options.tauRelu ?? 1e-6;
    this.tauMax = options.tauMax ?? 1e-2;
  }

  protected reduce(ctx: SampleContext): number {
    return this.logMeanExpOfFatmax(ctx, this.tauMax, (obj) => logFatplus(obj - this.bestF, this.tauRelu));
  }
}
