import type { DifferentiableModel } from '../../models/model.js';
import { MCAcquisitionFunction, type MCAcquisitionOptions, type SampleContext } from './mc-acquisition.js';
import { pruneInferiorPoints } from './prune-baseline.js';
import type { LogImprovementOptions } from './q-log-expected-improvement.js';
import { logFatplus } from './smooth-math.js';

export interface NoisyImprovementOptions extends MCAcquisitionOptions {
  /** Points already observed (`n x d`, model input space): the incumbent is their best sampled value. */
  baseline: Float64Array;
  /**
   * Drop baseline points that are the sampled maximiser in none of many posterior samples: they
   * cannot be the incumbent, and fewer points make every evaluation cheaper. @defaultValue true
   */
  pruneBaseline?: boolean;
}

/**
 * Shared baseline handling of qNEI and qLogNEI: the (pruned) baseline joins every joint sample as
 * leading extra columns, and each sample's incumbent is the best (feasible) baseline value in it.
 */
abstract class NoisyImprovementBase extends MCAcquisitionFunction {
  protected readonly baselinePoints: Float64Array;

  constructor(model: DifferentiableModel, options: NoisyImprovementOptions) {
    super(model, options);
    this.baselinePoints = options.pruneBaseline === false ? options.baseline.slice() : pruneInferiorPoints(model, options.baseline, this.sign, options.constraints ?? []);
  }

  protected override extraPoints(): Float64Array {
    return this.baselinePoints;
  }

  /**
   * Per-sample incumbent `max_i obj_si` over the baseline columns, feasible ones only when there
   * are constraints (a sample with no feasible baseline point uses its worst baseline value, so any
   * feasible improvement counts). Baseline samples do not depend on X (they come first in the
   * joint factorisation), so no gradient flows through the incumbent.
   */
  protected incumbents(ctx: SampleContext): Float64Array {
    const { s, m, e, objective, feasible } = ctx;
    const best = new Float64Array(s);
    for (let i = 0; i < s; i++) {
      let b = -Infinity;
      let worst = Infinity;
      for (let j = 0; j < e; j++) {
        const v = objective[i * m + j]!;
        worst = Math.min(worst, v);
        if ((!feasible || feasible[i * m + j]) && v > b) b = v;
      }
      best[i] = b === -Infinity ? (e > 0 ? worst : -Infinity) : b;
    }
    return best;
  }
}

/** qNoisyExpectedImprovement: `E[(max_j f(x_j) - max_i f(x_baseline_i))^+]` over joint samples. */
export class qNoisyExpectedImprovement extends NoisyImprovementBase {
  protected reduce(ctx: SampleContext): number {
    const best = this.incumbents(ctx);
    return this.meanOfMax(ctx, (obj, i) => (obj > best[i]! ? [obj - best[i]!, 1] : [0, 0]));
  }
}

/**
 * qLogNoisyExpectedImprovement (Ament et al. 2023), Apiary's default acquisition:
 * `logmeanexp_s fatmax_j log fatplus(f_sj - max_i f_s,baseline_i)` (+ log feasibility per point).
 */
export class qLogNoisyExpectedImprovement extends NoisyImprovementBase {
  private readonly tauRelu: number;
  private readonly tauMax: number;

  constructor(model: DifferentiableModel, options: NoisyImprovementOptions & LogImprovementOptions) {
    super(model, options);
    this.tauRelu = options.tauRelu ?? 1e-6;
    this.tauMax = options.tauMax ?? 1e-2;
  }

  protected reduce(ctx: SampleContext): number {
    const best = this.incumbents(ctx);
    return this.logMeanExpOfFatmax(ctx, this.tauMax, (obj, i) => logFatplus(obj - best[i]!, this.tauRelu));
  }
}
