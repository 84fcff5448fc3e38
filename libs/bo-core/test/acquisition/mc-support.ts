import { fromRows, MaternKernel, RBFKernel, ScaleKernel, SingleTaskGP } from '@apiary/bo-core';
import type { GoldenCase } from '../support/reference.js';

/** The fixed-hyperparameter model of a golden case (no transforms), as BoTorch built it. */
export function goldenModel(c: GoldenCase): SingleTaskGP {
  const base = c.kernel === 'rbf' ? new RBFKernel(c.d, { lengthscale: c.lengthscales }) : new MaternKernel(c.d, { nu: 2.5, lengthscale: c.lengthscales });
  return new SingleTaskGP(fromRows(c.X), c.y, {
    kernel: new ScaleKernel(base, { outputscale: c.outputscale }),
    inputTransform: null,
    outcomeTransform: null,
    initialNoise: c.noise_variance,
    initialMean: c.mean_constant,
  });
}

/** Flattens `b x q x d` nested arrays. */
export function flat3(X: number[][][]): { b: number; q: number; d: number; data: Float64Array } {
  const b = X.length;
  const q = X[0]!.length;
  const d = X[0]![0]!.length;
  return { b, q, d, data: Float64Array.from(X.flat(2)) };
}
