/** Priors on positive GP hyperparameters, and the log-gamma function they need. */
export type { Prior } from './prior.js';
export { GammaPrior, GAMMA_MODE_FALLBACK_FRACTION } from './gamma-prior.js';
export { LogNormalPrior } from './log-normal-prior.js';
export {
  dimensionScaledLengthscalePrior,
  dimensionScaledNoisePrior,
  BOTORCH_MIN_LENGTHSCALE,
  BOTORCH_MIN_INFERRED_NOISE_LEVEL,
} from './dimension-scaled.js';
export { classicLengthscalePrior, classicOutputscalePrior, classicNoisePrior } from './classic-priors.js';
export { lgamma } from './log-gamma.js';
