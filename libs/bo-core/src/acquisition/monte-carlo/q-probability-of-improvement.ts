import { InputDataError } from '../../errors/errors.js';
import type { DifferentiableModel } from '../../models/model.js';
import { checkBestF, type BestFOptions } from './q-expected-improvement.js';
import { MCAcquisitionFunction, type SampleContext } from './mc-acquisition.js';
import { sigmoid } from './smooth-math.js';

/** qProbabilityOfImprovement: `E[max_j sigmoid((f(x_j) - best_f) / tau)]`, a smoothed P(improvement). */
export class qProbabilityOfImprovement extends MCAcquisitionFunction {
  private readonly bestF: number;
  private readonly tau: number;

  /** `tau`: temperature of the sigmoid. @defaultValue 1e-3 */
  constructor(model: DifferentiableModel, options: BestFOptions & { tau?: number }) {
    super(model, options);
    this.bestF = this.sign * checkBestF(options.bestF);
    this.tau = options.tau ?? 1e-3;
    if (!(this.tau > 0)) throw new InputDataError(`tau must be positive, got ${options.tau}`);
  }

  protected reduce(ctx: SampleContext): number {
    return this.meanOfMax(ctx, (obj) => {
      const p = sigmoid((obj - this.bestF) / this.tau);
      return [p, (p * (1 - p)) / this.tau];
    });
  }
}
