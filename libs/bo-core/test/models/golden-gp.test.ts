import { describe, expect, it } from 'vitest';
import { fromRows, MaternKernel, RBFKernel, ScaleKernel, SingleTaskGP, exactMarginalLogLikelihood, qBatch } from '@apiary/bo-core';
import { close, goldenCases, HAVE_REFERENCE, SKIP_REFERENCE_MESSAGE, type GoldenCase } from '../support/reference.js';

// Float64 throughout: the reference asks for 1e-6 relative / 1e-9 absolute.
const REL = 1e-6;
const ABS = 1e-9;

function modelFor(c: GoldenCase): SingleTaskGP {
  const base = c.kernel === 'rbf' ? new RBFKernel(c.d, { lengthscale: c.lengthscales }) : new MaternKernel(c.d, { nu: 2.5, lengthscale: c.lengthscales });
  const kernel = new ScaleKernel(base, { outputscale: c.outputscale });
  return new SingleTaskGP(fromRows(c.X), c.y, {
    kernel,
    inputTransform: null,
    outcomeTransform: null,
    initialNoise: c.noise_variance,
    initialMean: c.mean_constant,
  });
}

function expectClose(actual: number, expected: number, what: string): void {
  if (!close(actual, expected, REL, ABS)) expect.fail(`${what}: got ${actual}, expected ${expected}`);
}

describe.skipIf(!HAVE_REFERENCE)(`GP against BoTorch golden vectors${HAVE_REFERENCE ? '' : ` (${SKIP_REFERENCE_MESSAGE})`}`, () => {
  const cases = HAVE_REFERENCE ? goldenCases() : [];
  for (const [k, c] of cases.entries()) {
    describe(`case ${k}: ${c.kernel} d=${c.d} n=${c.n}`, () => {
      it('posterior mean and covariance of the latent f', () => {
        const model = modelFor(c);
        const post = model.posterior(qBatch([c.X_test]));
        const m = c.X_test.length;
        for (let i = 0; i < m; i++) {
          expectClose(post.mean[i]!, c.posterior_mean[i]!, `mean[${i}]`);
          for (let j = 0; j < m; j++) expectClose(post.covariance[i * m + j]!, c.posterior_cov[i]![j]!, `cov[${i}][${j}]`);
        }
      });

      it('marginal predictions agree with the joint posterior diagonal', () => {
        const model = modelFor(c);
        const pred = model.predict(fromRows(c.X_test));
        for (let i = 0; i < c.X_test.length; i++) {
          expectClose(pred.mean[i]!, c.posterior_mean[i]!, `mean[${i}]`);
          expectClose(pred.variance[i]!, c.posterior_cov[i]![i]!, `var[${i}]`);
        }
      });

      it('log marginal likelihood and every gradient', () => {
        const model = modelFor(c);
        const mll = exactMarginalLogLikelihood(model.kernel, model.modelX, model.modelY, model.trainNoise(), c.mean_constant, true);
        expectClose(mll.value, c.log_marginal_likelihood, 'log marginal likelihood');
        // The model's MAP objective without priors or transforms is the same quantity.
        const lp = model.logPosterior(true);
        expectClose(lp.value, c.log_marginal_likelihood, 'logPosterior');
        const names = model.hyperparameterNames();
        const grad = lp.grad!;
        expectClose(grad[names.indexOf('kernel.outputscale')]!, c.grad_log_outputscale, 'd/dlog outputscale');
        c.grad_log_lengthscales.forEach((g, j) => expectClose(grad[names.indexOf(`kernel.base.lengthscale[${j}]`)]!, g, `d/dlog lengthscale[${j}]`));
        expectClose(grad[names.indexOf('log_noise')]!, c.grad_log_noise, 'd/dlog noise');
        expectClose(grad[names.indexOf('mean_constant')]!, c.grad_mean_constant, 'd/dmean');
      });
    });
  }
});
