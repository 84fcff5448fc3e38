export { resolveGenerationStrategy, type GenerationStrategyOptions, type ResolvedGenerationStrategy } from './generation-strategy.js';
export { Optimizer, type AttachTrialOptions, type GenerationTiming, type MetricConstraint, type OptimizerOptions } from './optimizer.js';
export type { Trial, TrialStatus } from './trial.js';
