import { choleskyInverse } from '../linalg/index.js';
import type { SingleTaskGP } from './single-task-gp.js';

/**
 * Mean leave-one-out log predictive density of the training targets (modelled units), in closed
 * form from one factorisation (Rasmussen & Williams, eq. 5.10-5.12): with `Ky^-1` the inverse of
 * the noisy kernel matrix and `alpha = Ky^-1 (z - c)`,
 *
 *   sigma_i^2 = 1 / [Ky^-1]_ii,   mu_i = z_i - alpha_i / [Ky^-1]_ii,
 *   log p(z_i | z_-i) = -1/2 log(2 pi sigma_i^2) - (z_i - mu_i)^2 / (2 sigma_i^2).
 *
 * It measures how well the model predicts points it has not seen, which is what held-out
 * accuracy rewards, so it can choose between models with different priors where the marginal
 * likelihoods are not comparable.
 */
export function leaveOneOutLogPredictive(model: SingleTaskGP): number {
  const { L, alpha } = model.factorisation();
  const n = model.numTrain;
  const inv = choleskyInverse(L);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const kii = inv.data[i * n + i]!;
    const variance = 1 / kii;
    const residual = alpha[i]! / kii; // z_i - mu_i
    total += -0.5 * Math.log(2 * Math.PI * variance) - (0.5 * residual * residual) / variance;
  }
  return total / n;
}
