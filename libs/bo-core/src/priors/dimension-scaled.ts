import { InputDataError } from '../errors/errors.js';
import { LogNormalPrior } from './log-normal-prior.js';

/**
 * BoTorch's current defaults for `SingleTaskGP` (BoTorch ≥ 0.12), from Hvarfner, Hellsten & Nardi,
 * "Vanilla Bayesian Optimization Performs Great in High Dimensions", ICML 2024. In BoTorch they
 * live in `botorch/models/utils/gpytorch_modules.py`:
 *
 * - `get_covar_module_with_dim_scaled_prior(d)`: an RBF kernel (returned bare, without outputscale,
 *   in the current source; one stored revision wrapped it in a ScaleKernel with a Gamma(2, 0.15)
 *   outputscale prior) whose ARD
 *   lengthscales have the prior `LogNormal(loc = √2 + ½ log d, scale = √3)`, the constraint
 *   `lengthscale > 0.025` and the prior's mode as initial value;
 * - `get_gaussian_likelihood_with_lognormal_prior()`: the noise variance has the prior
 *   `LogNormal(loc = −4, scale = 1)`, the constraint `noise > 1e-4` and the prior's mode as
 *   initial value.
 *
 * The lengthscale prior's median grows like √d (`e^(√2) · √d ≈ 4.11 √d`), so that the expected
 * squared distance between inputs in the unit cube, also ∝ d, is matched.
 */

/** `√2`, the lengthscale prior's location for d = 1. */
const SQRT2 = Math.SQRT2;
/** `√3`, the lengthscale prior's scale. */
const SQRT3 = Math.sqrt(3);

/**
 * The dimension-scaled lengthscale prior `LogNormal(√2 + ½ log d, √3)` for a d-dimensional ARD
 * kernel. Its mode `e^(√2 − 3) · √d ≈ 0.2048 √d` is BoTorch's initial lengthscale.
 *
 * @param d the number of input dimensions (ARD lengthscales), a positive integer.
 * @throws InputDataError when d is not a positive integer.
 */
export function dimensionScaledLengthscalePrior(d: number): LogNormalPrior {
  if (!(Number.isInteger(d) && d >= 1)) {
    throw new InputDataError(
      `dimensionScaledLengthscalePrior: expected the input dimension as a positive integer, got ${d}.`,
    );
  }
  return new LogNormalPrior(SQRT2 + 0.5 * Math.log(d), SQRT3);
}

/** BoTorch's default noise-variance prior with the dimension-scaled kernel: `LogNormal(−4, 1)` (mode e^−5 ≈ 0.0067). */
export function dimensionScaledNoisePrior(): LogNormalPrior {
  return new LogNormalPrior(-4, 1);
}

/** BoTorch's lower bound on lengthscales with the dimension-scaled prior (`GreaterThan(2.5e-2)`). */
export const BOTORCH_MIN_LENGTHSCALE = 0.025;

/** BoTorch's lower bound on the inferred noise variance (`MIN_INFERRED_NOISE_LEVEL`). */
export const BOTORCH_MIN_INFERRED_NOISE_LEVEL = 1e-4;
