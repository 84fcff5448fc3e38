export {
  AnalyticAcquisitionFunction,
  MIN_POSTERIOR_VARIANCE,
  type AnalyticAcquisitionOptions,
  type PointUtility,
} from './analytic-acquisition.js';
export { ExpectedImprovement, type ImprovementOptions } from './expected-improvement.js';
export { LogExpectedImprovement } from './log-expected-improvement.js';
export { LogProbabilityOfImprovement, ProbabilityOfImprovement } from './probability-of-improvement.js';
export { UpperConfidenceBound, type UpperConfidenceBoundOptions } from './upper-confidence-bound.js';
export { PosteriorMean } from './posterior-mean.js';
