import { Prng } from '../sampling/prng.js';
import { SOBOL_MAX_DIMENSION, SobolEngine } from '../sampling/sobol.js';

/** A stream of raw points in `[0, 1)^dim`: each `draw(n)` returns the next `n x dim` block, row-major. */
export interface RawPointSource {
  draw(n: number): Float64Array;
}

/**
 * Builds the raw-point source used for initial conditions: called once per q-batch optimisation
 * with `dim = q · (number of free coordinates)` and a seed derived from the `seed` option.
 * Equal arguments must give equal streams (optimizeAcqf is deterministic for a fixed seed).
 */
export type RawSamplerFactory = (dim: number, seed: number) => RawPointSource;

/** Independent uniform points from the seedable {@link Prng}. */
export const uniformRawSampler: RawSamplerFactory = (dim, seed) => {
  const rng = new Prng(seed);
  return {
    draw(n: number): Float64Array {
      const out = new Float64Array(n * dim);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform();
      return out;
    },
  };
};

/**
 * Scrambled Sobol points (`new SobolEngine(dim, { scramble: true, seed })`) for
 * `dim ≤ SOBOL_MAX_DIMENSION` (1111); beyond that, as in BoTorch, independent uniforms
 * ({@link uniformRawSampler}).
 */
export const sobolRawSampler: RawSamplerFactory = (dim, seed) =>
  dim <= SOBOL_MAX_DIMENSION ? new SobolEngine(dim, { scramble: true, seed }) : uniformRawSampler(dim, seed);

/** The default raw sampler of optimizeAcqf: {@link sobolRawSampler}. */
export const defaultRawSampler: RawSamplerFactory = sobolRawSampler;
