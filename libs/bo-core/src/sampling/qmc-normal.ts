import { InputDataError } from '../errors/errors.js';
import { normalQuantile } from './normal-quantile.js';
import { Prng } from './prng.js';
import { SOBOL_MAX_DIMENSION, SobolEngine } from './sobol.js';

/**
 * Standard-normal base samples for Monte-Carlo acquisition functions.
 *
 * Both functions return a Float64Array of length `numSamples · dim`, row-major: sample s,
 * coordinate j at `[s · dim + j]`, every entry a draw of N(0, 1) and the `dim` coordinates of a
 * sample independent. An acquisition function with base samples of shape s × b × q (s Monte-Carlo
 * samples, b batches, q points per batch) flattens b × q into `dim = b · q`, so sample s, batch i,
 * point k is at `[s · b · q + i · q + k]`. The reparameterised posterior sample is then
 * μ + L·z with z one row of these base samples (per batch).
 */

/**
 * The uniforms are clamped into [ε, 1 − ε] with ε = 2⁻³³ (half the 2⁻³² spacing of the Sobol
 * points) before the quantile, so a point at 0 maps to Φ⁻¹(2⁻³³) ≈ −6.34 instead of −∞.
 */
const UNIFORM_CLAMP = 2 ** -33;

function checkArguments(where: string, numSamples: number, dim: number, seed: number): void {
  if (!Number.isSafeInteger(numSamples) || numSamples < 0) {
    throw new InputDataError(`${where}: expected numSamples to be a non-negative integer, got ${numSamples}`);
  }
  if (!Number.isSafeInteger(dim) || dim < 1) {
    throw new InputDataError(`${where}: expected dim to be a positive integer, got ${dim}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new InputDataError(`${where}: expected seed to be a safe integer, got ${seed}`);
  }
}

/**
 * Quasi-Monte-Carlo standard-normal base samples, like BoTorch's `SobolQMCNormalSampler`: the
 * first `numSamples` points u of a scrambled Sobol sequence in [0, 1)^dim
 * (`new SobolEngine(dim, { scramble: true, seed })`), mapped coordinate-wise through
 * z = Φ⁻¹(clamp(u, ε, 1 − ε)) with ε = 2⁻³³.
 *
 * Powers of two for `numSamples` keep the Sobol balance properties (each coordinate then has one
 * point in each of the numSamples equal-probability normal strata), which makes the sample mean
 * and variance far more accurate than plain Monte Carlo.
 *
 * @param numSamples number of samples s, a non-negative integer (at most 2³²).
 * @param dim coordinates per sample, an integer in [1, {@link SOBOL_MAX_DIMENSION}] = [1, 1111].
 * @param seed seed of the scrambling; equal seeds give equal samples.
 * @returns `numSamples × dim`, row-major (see the module comment).
 * @throws InputDataError for a negative or fractional count, or `dim` outside [1, 1111].
 */
export function sobolQmcNormalSamples(numSamples: number, dim: number, seed: number): Float64Array {
  checkArguments('sobolQmcNormalSamples', numSamples, dim, seed);
  if (dim > SOBOL_MAX_DIMENSION) {
    throw new InputDataError(
      `sobolQmcNormalSamples: expected dim ≤ ${SOBOL_MAX_DIMENSION} (Sobol direction numbers), got ${dim}`,
    );
  }
  const out = new SobolEngine(dim, { scramble: true, seed }).draw(numSamples);
  for (let i = 0; i < out.length; i++) {
    const u = Math.min(Math.max(out[i] ?? 0, UNIFORM_CLAMP), 1 - UNIFORM_CLAMP);
    out[i] = normalQuantile(u);
  }
  return out;
}

/**
 * Plain Monte-Carlo standard-normal base samples from `new Prng(seed).normal()` (Box–Muller),
 * filled in row-major order.
 *
 * @param numSamples number of samples s, a non-negative integer.
 * @param dim coordinates per sample, a positive integer (no upper limit).
 * @param seed the generator's seed; equal seeds give equal samples.
 * @returns `numSamples × dim`, row-major (see the module comment).
 * @throws InputDataError for a negative or fractional count or a non-positive `dim`.
 */
export function plainMcNormalSamples(numSamples: number, dim: number, seed: number): Float64Array {
  checkArguments('plainMcNormalSamples', numSamples, dim, seed);
  const prng = new Prng(seed);
  const out = new Float64Array(numSamples * dim);
  for (let i = 0; i < out.length; i++) out[i] = prng.normal();
  return out;
}

/**
 * Standard-normal base samples for Monte-Carlo acquisition: scrambled-Sobol QMC up to
 * {@link SOBOL_MAX_DIMENSION} coordinates, plain Monte Carlo beyond (as BoTorch falls back when
 * its Sobol engine runs out of dimensions), so large joint batches never fail for want of
 * direction numbers.
 *
 * @returns `numSamples × dim`, row-major.
 */
export function normalBaseSamples(numSamples: number, dim: number, seed: number): Float64Array {
  return dim <= SOBOL_MAX_DIMENSION ? sobolQmcNormalSamples(numSamples, dim, seed) : plainMcNormalSamples(numSamples, dim, seed);
}
