export type { DifferentiableModel, Model, PosteriorOptions } from './model.js';
export { exactMarginalLogLikelihood, type MarginalLogLikelihoodResult } from './exact-marginal-log-likelihood.js';
export { SingleTaskGP, type HyperparameterPrior, type SingleTaskGPOptions } from './single-task-gp.js';
export { fitGP, hyperparameterBounds, type FitAttempt, type FitOptions, type FitResult } from './fit-gp.js';
export { buildPresetModel, DEFAULT_PRESET, resolvePreset, MODEL_PRESETS, presetSpec, type ConcretePreset, type ModelPreset, type PresetSpec } from './presets.js';
export { leaveOneOutLogPredictive } from './leave-one-out.js';
export { fitGaussianProcess, type FitGaussianProcessOptions, type GaussianProcess } from './gaussian-process.js';
