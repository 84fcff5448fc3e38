export { MCAcquisitionFunction, type MCAcquisitionOptions, type OutcomeConstraint, type SampleContext } from './mc-acquisition.js';
export { qSimpleRegret } from './q-simple-regret.js';
export { qExpectedImprovement, type BestFOptions } from './q-expected-improvement.js';
export { qLogExpectedImprovement, type LogImprovementOptions } from './q-log-expected-improvement.js';
export { qProbabilityOfImprovement } from './q-probability-of-improvement.js';
export { qUpperConfidenceBound } from './q-upper-confidence-bound.js';
export { qNoisyExpectedImprovement, qLogNoisyExpectedImprovement, type NoisyImprovementOptions } from './q-noisy-expected-improvement.js';
export { pruneInferiorPoints } from './prune-baseline.js';
export { fatmax, logFatplus, logFatmoid, logMeanExp, sigmoid } from './smooth-math.js';
