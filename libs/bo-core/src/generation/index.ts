export { GENERATION_METHODS, resolveGenerationStrategy, type GenerationMethod, type GenerationStrategyOptions, type ResolvedGenerationStrategy } from './generation-strategy.js';
export { ASSUMED_QLOGNEI_MS_PER_POINT, Optimizer, type AskOptions, type AttachTrialOptions, type GenerationTiming, type MetricConstraint, type OptimizerOptions } from './optimizer.js';
export { thompsonBatch, defaultThompsonCandidates, type ThompsonBatchOptions, type ThompsonConstraint } from './thompson-sampling.js';
export { TRIAL_GENERATORS, type Trial, type TrialGenerator, type TrialStatus } from './trial.js';
