import { describe, expect, it } from 'vitest';
import { fromRows, MaternKernel, RBFKernel, ScaleKernel, SingleTaskGP, type QBatch } from '@apiary/bo-core';
import {
  ExpectedImprovement,
  LogExpectedImprovement,
  ProbabilityOfImprovement,
  UpperConfidenceBound,
} from '../../src/acquisition/analytic/index.js';
import { close, goldenCases, HAVE_REFERENCE, SKIP_REFERENCE_MESSAGE, type GoldenCase } from '../support/reference.js';

// Float64 against BoTorch's float64: EI, PI, UCB and σ to 1e-6 relative (with a 1e-300 absolute
// floor, so values near 1e-130 are compared relatively too); LogEI to 1e-6 absolute.
const REL = 1e-6;
const ABS_FLOOR = 1e-300;
const LOG_ABS = 1e-6;

interface AnalyticReference {
  best_f: number;
  ei: number[];
  log_ei: number[];
  pi: number[];
  ucb_beta: number;
  ucb: number[];
  posterior_sd: number[];
}

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

/** X_test (m x d) as a `m x 1 x d` batch: one point per t-batch. */
function pointBatch(rows: number[][]): QBatch {
  const d = rows[0]!.length;
  return { b: rows.length, q: 1, d, data: Float64Array.from(rows.flat()) };
}

/** Largest error seen per quantity over every case, printed at the end. */
const worst: Record<string, number> = {};

function check(actual: Float64Array, expected: number[], what: string, rel: number, abs: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = rel > 0 ? Math.abs(a - e) / Math.max(Math.abs(e), ABS_FLOOR) : Math.abs(a - e);
    worst[what] = Math.max(worst[what] ?? 0, err);
    if (!close(a, e, rel, abs)) expect.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

describe.skipIf(!HAVE_REFERENCE)(`analytic acquisition against BoTorch golden vectors${HAVE_REFERENCE ? '' : ` (${SKIP_REFERENCE_MESSAGE})`}`, () => {
  const cases = HAVE_REFERENCE ? goldenCases() : [];
  for (const [k, c] of cases.entries()) {
    describe(`case ${k}: ${c.kernel} d=${c.d} n=${c.n}`, () => {
      const ref = c.analytic as unknown as AnalyticReference;
      const X = pointBatch(c.X_test);

      it('posterior standard deviation', () => {
        const ei = new ExpectedImprovement(modelFor(c), { bestF: ref.best_f });
        check(ei.meanAndSd(X).sd, ref.posterior_sd, 'posterior_sd', REL, ABS_FLOOR);
      });

      it('ExpectedImprovement', () => {
        check(new ExpectedImprovement(modelFor(c), { bestF: ref.best_f }).forward(X), ref.ei, 'ei', REL, ABS_FLOOR);
      });

      it('LogExpectedImprovement, down to about -300', () => {
        check(new LogExpectedImprovement(modelFor(c), { bestF: ref.best_f }).forward(X), ref.log_ei, 'log_ei', 0, LOG_ABS);
      });

      it('ProbabilityOfImprovement', () => {
        check(new ProbabilityOfImprovement(modelFor(c), { bestF: ref.best_f }).forward(X), ref.pi, 'pi', REL, ABS_FLOOR);
      });

      it('UpperConfidenceBound', () => {
        check(new UpperConfidenceBound(modelFor(c), { beta: ref.ucb_beta }).forward(X), ref.ucb, 'ucb', REL, ABS_FLOOR);
      });

      it('forwardWithGradient gives the same values as forward', () => {
        const model = modelFor(c);
        for (const acq of [
          new ExpectedImprovement(model, { bestF: ref.best_f }),
          new LogExpectedImprovement(model, { bestF: ref.best_f }),
          new ProbabilityOfImprovement(model, { bestF: ref.best_f }),
          new UpperConfidenceBound(model, { beta: ref.ucb_beta }),
        ]) {
          expect(Array.from(acq.forwardWithGradient(X).values)).toEqual(Array.from(acq.forward(X)));
        }
      });
    });
  }

  it.runIf(cases.length > 0)('reports the largest errors seen', () => {
    console.log(`analytic golden: largest errors (relative; LogEI absolute): ${JSON.stringify(worst)}`);
    expect(Object.keys(worst).length).toBeGreaterThan(0);
  });
});
