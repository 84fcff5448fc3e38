import { describe, expect, it } from 'vitest';
import {
  qExpectedImprovement,
  qLogExpectedImprovement,
  qNoisyExpectedImprovement,
  qProbabilityOfImprovement,
  qSimpleRegret,
  qUpperConfidenceBound,
  type AcquisitionFunction,
  type MCAcquisitionOptions,
} from '@apiary/bo-core';
import { goldenCases, HAVE_REFERENCE, SKIP_REFERENCE_MESSAGE, type GoldenCase } from '../support/reference.js';
import { flat3, goldenModel } from './mc-support.js';

type Maker = (c: GoldenCase, o: MCAcquisitionOptions) => AcquisitionFunction;
const MC = (c: GoldenCase) => c.mc as Record<string, number | number[] | number[][][] | string>;
const FUNCTIONS: Record<string, Maker> = {
  qEI: (c, o) => new qExpectedImprovement(goldenModel(c), { ...o, bestF: MC(c)['best_f'] as number }),
  qLogEI: (c, o) => new qLogExpectedImprovement(goldenModel(c), { ...o, bestF: MC(c)['best_f'] as number }),
  qUCB: (c, o) => new qUpperConfidenceBound(goldenModel(c), { ...o, beta: MC(c)['qUCB_beta'] as number }),
  qSimpleRegret: (c, o) => new qSimpleRegret(goldenModel(c), o),
  qPI: (c, o) => new qProbabilityOfImprovement(goldenModel(c), { ...o, bestF: MC(c)['best_f'] as number, tau: MC(c)['qPI_tau'] as number }),
  qNEI: (c, o) => new qNoisyExpectedImprovement(goldenModel(c), { ...o, baseline: Float64Array.from(c.X.flat()), pruneBaseline: false }),
};

const REPLICATES = 8;
const REPLICATE_SAMPLES = 8192;

describe.skipIf(!HAVE_REFERENCE)(`Monte-Carlo acquisition against BoTorch${HAVE_REFERENCE ? '' : ` (${SKIP_REFERENCE_MESSAGE})`}`, () => {
  const cases = HAVE_REFERENCE ? goldenCases() : [];
  for (const [k, c] of cases.entries()) {
    for (const [name, make] of Object.entries(FUNCTIONS)) {
      it(`case ${k} (${c.kernel}, d=${c.d}): ${name} within 3 standard errors and 2%`, () => {
        const X = flat3(MC(c)['X'] as number[][][]);
        const ref = MC(c)[name] as number[];
        const value = make(c, { numSamples: 1 << 16, seed: 1 }).forward(X);
        // Standard error of a 2^16-sample estimate, from independent plain-MC replicates of 2^13.
        const reps = Array.from({ length: REPLICATES }, (_, r) => make(c, { numSamples: REPLICATE_SAMPLES, sampler: 'plain', seed: 100 + r }).forward(X));
        for (let t = 0; t < X.b; t++) {
          const xs = reps.map((v) => v[t]!);
          const mean = xs.reduce((a, b) => a + b, 0) / REPLICATES;
          const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (REPLICATES - 1));
          const se = sd / Math.sqrt((REPLICATES * (1 << 16)) / REPLICATE_SAMPLES);
          const err = Math.abs(value[t]! - ref[t]!);
          if (err > 3 * se + 1e-12) expect.fail(`t-batch ${t}: ${value[t]} vs BoTorch ${ref[t]}: |diff| ${err} > 3 SE (${3 * se})`);
          // The 2% check applies to values above 1e-4 whose 2^16-sample estimate is itself precise to
          // well within 2% (relative SE < 2%/3). Rare-event values (a few hundred improving samples in
          // 65,536) carry several percent of Monte-Carlo error in the reference too, so no estimator
          // can be held to 2% of them; the 3-SE check above still applies.
          if (ref[t]! > 1e-4 && se < (0.02 / 3) * ref[t]! && err > 0.02 * ref[t]!) {
            expect.fail(`t-batch ${t}: ${value[t]} vs BoTorch ${ref[t]}: more than 2% apart`);
          }
        }
      });
    }
  }
});

describe('Monte-Carlo acquisition, exact limits', () => {
  it('qSimpleRegret with q = 1 equals the posterior mean, and qUCB with q = 1 the analytic UCB, up to QMC error', () => {
    if (!HAVE_REFERENCE) return;
    const c = goldenCases()[0]!;
    const model = goldenModel(c);
    const X = { b: c.X_test.length, q: 1, d: c.d, data: Float64Array.from(c.X_test.flat()) };
    const post = model.posterior(X);
    const sr = new qSimpleRegret(model, { numSamples: 4096 }).forward(X);
    const ucb = new qUpperConfidenceBound(model, { numSamples: 4096, beta: 2 }).forward(X);
    const sd = post.variance().map(Math.sqrt);
    for (let t = 0; t < X.b; t++) {
      expect(Math.abs(sr[t]! - post.mean[t]!)).toBeLessThan(2e-3 * (sd[t]! + 1e-9) + 1e-9);
      expect(Math.abs(ucb[t]! - (post.mean[t]! + Math.SQRT2 * sd[t]!))).toBeLessThan(1e-2 * sd[t]! + 1e-9);
    }
  });
});
