/** Box-constrained smooth minimisation. */
export type { MinimizeOptions, MinimizeResult, ValueAndGradient } from './minimizer.js';
export { minimizeLbfgsb } from './lbfgsb.js';
export { minimizeMultiStart, type MultiStartResult, type StartResult } from './multi-start.js';
export {
  resolveMinimizeOptions,
  type ResolvedMinimizeOptions,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_GRAD_TOLERANCE,
  DEFAULT_REL_TOLERANCE,
  DEFAULT_MEMORY,
} from './minimize-options.js';
export { projectedGradientNorm } from './box.js';
export { optimizeAcqf, type OptimizeAcqfResult, type RestartReport } from './optimize-acqf.js';
export {
  resolveOptimizeAcqfOptions,
  type OptimizeAcqfOptions,
  type ResolvedOptimizeAcqfOptions,
  type OptimizeAcqfBounds,
  type DiscreteCoordinate,
  type IntegerCoordinate,
  type OneHotGroup,
  type LinearInequality,
  DEFAULT_NUM_RESTARTS,
  DEFAULT_RAW_SAMPLES,
  DEFAULT_ACQF_MAX_ITERATIONS,
  DEFAULT_MAX_ENUMERATED,
  DEFAULT_NUM_REFINEMENTS,
  DEFAULT_CONSTRAINT_PENALTY,
  DEFAULT_BATCH_LIMIT,
} from './optimize-acqf-options.js';
export { uniformRawSampler, sobolRawSampler, defaultRawSampler, type RawSamplerFactory, type RawPointSource } from './optimize-acqf-raw-sampler.js';
export { selectInitialConditions, DEFAULT_BOLTZMANN_ETA } from './initial-conditions.js';
export type { RawScorer } from './optimize-acqf-raw-scorer.js';
