import { GammaPrior } from './gamma-prior.js';

/**
 * The "classic" BoTorch priors (the defaults before 0.12, still used by several models): a Matérn-5/2
 * ScaleKernel with Gamma priors (`get_matern_kernel_with_gamma_prior`) and a Gaussian likelihood with
 * a Gamma noise prior (`get_gaussian_likelihood_with_gamma_prior`, noise constrained > 1e-4). They
 * assume inputs scaled to the unit cube and standardised outputs.
 */

/** Lengthscale prior `Gamma(3, 6)`: mean 0.5, mode 1/3. */
export function classicLengthscalePrior(): GammaPrior {
  return new GammaPrior(3, 6);
}

/** Outputscale prior `Gamma(2, 0.15)`: mean ≈ 13.3, mode ≈ 6.67. */
export function classicOutputscalePrior(): GammaPrior {
  return new GammaPrior(2, 0.15);
}

/** Noise-variance prior `Gamma(1.1, 0.05)`: mean 22, mode 2 (BoTorch's initial noise value). */
export function classicNoisePrior(): GammaPrior {
  return new GammaPrior(1.1, 0.05);
}
