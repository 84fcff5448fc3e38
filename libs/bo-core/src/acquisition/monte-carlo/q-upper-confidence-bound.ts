import { InputDataError } from '../../errors/errors.js';
import type { DifferentiableModel } from '../../models/model.js';
import { MCAcquisitionFunction, type MCAcquisitionOptions, type SampleContext } from './mc-acquisition.js';

/**
 * qUpperConfidenceBound (BoTorch's definition): `E[max_j mu_j + sqrt(beta pi / 2) |f_j - mu_j|]`,
 * whose q = 1 value is the analytic UCB `mu + sqrt(beta) sigma`.
 */
export class qUpperConfidenceBound extends MCAcquisitionFunction {
  private readonly scale: number;

  /** `beta`: the exploration weight, >= 0. */
  constructor(model: DifferentiableModel, options: MCAcquisitionOptions & { beta: number }) {
    super(model, options);
    if (!(options.beta >= 0) || !Number.isFinite(options.beta)) throw new InputDataError(`beta must be a finite number >= 0, got ${options.beta}`);
    this.scale = Math.sqrt((options.beta * Math.PI) / 2);
  }

  protected reduce(ctx: SampleContext): number {
    const { objectiveMean } = ctx;
    return this.meanOfMax(ctx, (obj, _i, j) => {
      const r = obj - objectiveMean[j]!;
      const sgn = Math.sign(r);
      return [objectiveMean[j]! + this.scale * Math.abs(r), this.scale * sgn, 1 - this.scale * sgn];
    });
  }
}
