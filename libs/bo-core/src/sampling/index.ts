export { Prng } from './prng.js';
export { normalQuantile } from './normal-quantile.js';
export { normalBaseSamples, plainMcNormalSamples, sobolQmcNormalSamples } from './qmc-normal.js';
export {
  SOBOL_BITS,
  SOBOL_MAX_DIMENSION,
  SOBOL_MAX_POINTS,
  SobolEngine,
  type SobolOptions,
} from './sobol.js';
