import { InputDataError } from '../../errors/errors.js';
import type { DifferentiableModel } from '../../models/model.js';
import { MCAcquisitionFunction, type MCAcquisitionOptions, type SampleContext } from './mc-acquisition.js';

export interface BestFOptions extends MCAcquisitionOptions {
  /** The incumbent: the best objective value observed so far (the objective's sign convention). */
  bestF: number;
}

export function checkBestF(bestF: number): number {
  if (!Number.isFinite(bestF)) throw new InputDataError(`bestF must be a finite number, got ${bestF}`);
  return bestF;
}

/** qExpectedImprovement: `E[max_j (f(x_j) - best_f)^+]`. */
export class qExpectedImprovement extends MCAcquisitionFunction {
  private readonly bestF: number;

  constructor(model: DifferentiableModel, options: BestFOptions) {
    super(model, options);
    this.bestF = this.sign * checkBestF(options.bestF);
  }

  protected reduce(ctx: SampleContext): number {
    return this.meanOfMax(ctx, (obj) => (obj > this.bestF ? [obj - this.bestF, 1] : [0, 0]));
  }
}
