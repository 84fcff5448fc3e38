import { InputDataError } from '../errors/errors.js';
import type { ModelPreset } from '../models/presets.js';
import { MODEL_PRESETS } from '../models/presets.js';

/** How an optimiser proposes trials: quasi-random first, then model-based. */
export interface GenerationStrategyOptions {
  /**
   * `qlognei` (GP + qLogNoisyExpectedImprovement after the initial design), `thompson` (GP +
   * batch Thompson sampling on a candidate set: much cheaper per point, less sample-efficient)
   * or `sobol` throughout. @defaultValue 'qlognei'
   */
  method?: GenerationMethod;
  /** Scrambled-Sobol trials before the model takes over. @defaultValue max(5, 2 d) */
  initialTrials?: number;
  /** GP configuration. @defaultValue 'default' */
  modelPreset?: ModelPreset;
  /** Gradient restarts of the acquisition optimisation. @defaultValue 10 */
  numRestarts?: number;
  /** Raw q-batches scored to choose the restarts' starting points. @defaultValue 512 */
  rawSamples?: number;
  /** Monte-Carlo samples of the acquisition function. @defaultValue 256 */
  mcSamples?: number;
  /**
   * Batches of up to this many points are built greedily, one point at a time with the chosen
   * points pending; larger ones are optimised jointly. Design note: greedy batches score higher
   * at every q (docs/batch-bench.md) and reached lower regret on BoTorch's protocol (median over 8 seeds,
   * q = 4: Branin 0.0052 vs 0.030, Hartmann-6 0.060 vs 0.062). At n = 200 they cost 3.0 s at
   * q = 4, 15 s at q = 16 and 232 s at q = 64, against 2.9, 12.5 and 85 s jointly: close up to
   * q = 16, so greedy is used up to there.
   * @defaultValue 16
   */
  greedyBatchLimit?: number;
}

/** How trials are proposed after the initial design. */
export type GenerationMethod = 'qlognei' | 'thompson' | 'sobol';

/** The methods, for validation. */
export const GENERATION_METHODS: readonly GenerationMethod[] = ['qlognei', 'thompson', 'sobol'];

/** {@link GenerationStrategyOptions} with defaults filled in for dimension d. */
export interface ResolvedGenerationStrategy {
  method: GenerationMethod;
  initialTrials: number;
  modelPreset: ModelPreset;
  numRestarts: number;
  rawSamples: number;
  mcSamples: number;
  greedyBatchLimit: number;
}

/** Resolves and validates a generation strategy for a d-dimensional encoded search space. */
export function resolveGenerationStrategy(options: GenerationStrategyOptions, d: number): ResolvedGenerationStrategy {
  const method = options.method ?? 'qlognei';
  if (!GENERATION_METHODS.includes(method)) throw new InputDataError(`strategy.method must be one of ${GENERATION_METHODS.join(', ')}, got '${String(method)}'`);
  const preset = options.modelPreset ?? 'default';
  if (!MODEL_PRESETS.includes(preset)) throw new InputDataError(`strategy.modelPreset must be one of ${MODEL_PRESETS.join(', ')}, got '${String(preset)}'`);
  const int = (name: string, v: number | undefined, dflt: number, min: number): number => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || x < min) throw new InputDataError(`strategy.${name} must be an integer >= ${min}, got ${v}`);
    return x;
  };
  const numRestarts = int('numRestarts', options.numRestarts, 10, 1);
  const rawSamples = int('rawSamples', options.rawSamples, 512, 1);
  if (rawSamples < numRestarts) throw new InputDataError(`strategy.rawSamples (${rawSamples}) must be at least numRestarts (${numRestarts})`);
  return {
    method,
    initialTrials: int('initialTrials', options.initialTrials, Math.max(5, 2 * d), 1),
    modelPreset: preset,
    numRestarts,
    rawSamples,
    mcSamples: int('mcSamples', options.mcSamples, 256, 1),
    greedyBatchLimit: int('greedyBatchLimit', options.greedyBatchLimit, 16, 1),
  };
}
