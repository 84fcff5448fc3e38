/**
 * Float32 TensorFlow.js versions of acquisition pieces where batching pays and float32 is safe
 * (see DESIGN.md, "Numerics"). TensorFlow.js is injected: these modules import only its types.
 */
export type { TfCore } from './tf-core.js';
export { tfKernelSpec, type TfKernelKind, type TfKernelSpec } from './tf-kernel.js';
export { batchedCholesky } from './tf-cholesky.js';
export { TfLogNoisyExpectedImprovement, type TfLogNoisyExpectedImprovementOptions } from './tf-log-nei.js';
export { makeTfRawScorer, type TfRawScorerOptions } from './tf-raw-scorer.js';
