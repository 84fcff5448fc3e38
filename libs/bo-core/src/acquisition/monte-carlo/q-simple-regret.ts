import { MCAcquisitionFunction, type SampleContext } from './mc-acquisition.js';

/** qSimpleRegret: `E[max_j f(x_j)]` — the expected best value in the batch (pure exploitation). */
export class qSimpleRegret extends MCAcquisitionFunction {
  protected reduce(ctx: SampleContext): number {
    return this.meanOfMax(ctx, (obj) => [obj, 1]);
  }
}
