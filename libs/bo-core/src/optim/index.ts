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
