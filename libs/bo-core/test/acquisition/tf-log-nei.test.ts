import { initTensorflow, type Tfjs } from '@apiary/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { TfLogNoisyExpectedImprovement } from '../../src/acquisition/tf/index.js';
import { qLogNoisyExpectedImprovement, type SingleTaskGP } from '../../src/index.js';
import { fittedModel, randomBatch } from '../support/tf-fixtures.js';

/** Indices sorted by decreasing value. */
function ranking(v: Float64Array): number[] {
  return Array.from(v.keys()).sort((a, b) => v[b]! - v[a]!);
}

/**
 * Float32 tolerance on log-acquisition values (see tf-log-nei.test.ts): `|Δ| <= rel (1 + |v|)`.
 * @returns the indices that break it.
 */
function outsideTolerance(v64: Float64Array, v32: Float64Array, rel: number, only?: (i: number) => boolean): number[] {
  const bad: number[] = [];
  for (let i = 0; i < v64.length; i++) {
    if (only && !only(i)) continue;
    if (!(Math.abs(v64[i]! - v32[i]!) <= rel * (1 + Math.abs(v64[i]!)))) bad.push(i);
  }
  return bad;
}

/*
 * Tolerance. The tf scorer computes the posterior in float32 (eps = 2^-24 ≈ 6e-8). Posterior
 * variances are differences of O(outputscale) numbers (K** - VᵀV, then minus the baseline part),
 * so they lose about eps · cond digits; the conditional q' x q' Cholesky amplifies the absolute
 * error of a small pivot further. Values are logs, so an absolute error in v is a relative error
 * of the acquisition itself. Measured on this model: ≤ 1.2e-4 (1 + |v|) at q = 1 and ≤ 3e-3 (1 + |v|)
 * at q = 4, the larger errors only deep in the fat tail (v < -25: every sample below the
 * incumbent, where v ≈ const - 2 log(nearest miss) and the nearest miss is a difference of two
 * O(1) sample values). Hence: |Δ| ≤ 1e-3 (1 + |v|) wherever v is within 15 of the best value
 * (what raw-sample selection looks at), and ≤ 1e-2 (1 + |v|) everywhere.
 */
const TOL_TOP = 1e-3;
const TOL_ALL = 1e-2;

let tf: Tfjs;
let model: SingleTaskGP;
let X: Float64Array;
const n = 60;
const d = 4;

beforeAll(async () => {
  tf = (await initTensorflow()).tf;
  ({ model, X } = fittedModel('matern-gamma', n, d, 1));
});

function compare(v64: Float64Array, v32: Float64Array): void {
  const best = Math.max(...v64);
  expect(outsideTolerance(v64, v32, TOL_ALL)).toEqual([]);
  expect(outsideTolerance(v64, v32, TOL_TOP, (i) => v64[i]! > best - 15)).toEqual([]);
}

describe('TfLogNoisyExpectedImprovement against the float64 qLogNoisyExpectedImprovement', () => {
  it('runs on the backend initTensorflow chose (wasm here; tensorflow where tfjs-node is installed)', () => {
    expect(['wasm', 'tensorflow']).toContain(tf.getBackend());
  });

  it.each([1, 3])('agrees within float32 tolerance at q = %i (n = 60, d = 4, Matérn-5/2)', (q) => {
    const options = { baseline: X, seed: 5 };
    const X64 = randomBatch(96, q, d, 10 + q);
    const v64 = new qLogNoisyExpectedImprovement(model, options).forward(X64);
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, options);
    try {
      compare(v64, scorer.forward(X64));
    } finally {
      scorer.dispose();
    }
  });

  it('ranks 512 raw q = 2 batches nearly as float64 does (top 10 within the tf top 20)', () => {
    const options = { baseline: X, seed: 2 };
    const raw = randomBatch(512, 2, d, 99);
    const v64 = new Float64Array(512);
    const acq = new qLogNoisyExpectedImprovement(model, options);
    for (let s = 0; s < 512; s += 128) v64.set(acq.forward({ b: 128, q: 2, d, data: raw.data.subarray(s * 2 * d, (s + 128) * 2 * d) }), s);
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, options);
    const v32 = scorer.forward(raw);
    scorer.dispose();
    const top20 = new Set(ranking(v32).slice(0, 20));
    expect(ranking(v64).slice(0, 10).filter((i) => top20.has(i))).toHaveLength(10);
    expect(ranking(v64)[0]).toBe(ranking(v32)[0]);
    compare(v64, v32);
  });

  it('handles minimisation, pending points, an input transform and the RBF preset', () => {
    const bounds = { lower: [-2, 0, 10, -1], upper: [2, 5, 20, 0] };
    const rbf = fittedModel('botorch', 40, d, 3, bounds);
    const pending = randomBatch(1, 2, d, 4, bounds).data;
    const options = { baseline: rbf.X, seed: 7, maximize: false, pending, sampler: 'plain' as const, numSamples: 256 };
    const batch = randomBatch(64, 2, d, 8, bounds);
    const v64 = new qLogNoisyExpectedImprovement(rbf.model, options).forward(batch);
    const scorer = new TfLogNoisyExpectedImprovement(tf, rbf.model, options);
    compare(v64, scorer.forward(batch));
    scorer.dispose();
  });

  it('gives the same values whatever the pass size, and on the cpu backend', async () => {
    const options = { baseline: X, seed: 5, pruneBaseline: false };
    const batch = randomBatch(40, 2, d, 21);
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, options);
    const whole = scorer.forward(batch);
    scorer.dispose();
    const small = new TfLogNoisyExpectedImprovement(tf, model, { ...options, maxChunkElements: 3 * 2 * 512 });
    const chunked = small.forward(batch);
    small.dispose();
    expect(outsideTolerance(whole, chunked, 1e-5)).toEqual([]);
    const chosen = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      const onCpu = new TfLogNoisyExpectedImprovement(tf, model, options);
      expect(outsideTolerance(whole, onCpu.forward(batch), 1e-4)).toEqual([]);
      onCpu.dispose();
    } finally {
      await tf.setBackend(chosen);
    }
  });

  it('leaks no tensors: forward keeps the count, dispose frees everything', () => {
    const before = tf.memory().numTensors;
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, seed: 1 });
    const batch = randomBatch(32, 3, d, 3);
    scorer.forward(batch); // builds the base-sample tensors for q' = 3
    const held = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) scorer.forward(batch);
    scorer.forward({ ...batch, b: 31, data: batch.data.subarray(0, 31 * 3 * d) });
    expect(tf.memory().numTensors).toBe(held);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => scorer.forward(batch)).toThrow(/disposed/);
  });
});

describe('TfLogNoisyExpectedImprovement.forwardWithGradient (tfjs autodiff)', () => {
  /*
   * Against the float64 gradient (itself checked by finite differences in the acquisition tests).
   * Measured on these batches: |Δg| ≤ 2e-5 max|g| (worst where v is near the best value and the
   * gradient is largest). Tolerance: |Δg| ≤ 1e-3 max_t|g_t| + 1e-5 per t-batch.
   */
  function compareGradients(g64: Float64Array, g32: Float64Array): void {
    const scale = Math.max(...Array.from(g64, Math.abs));
    for (let k = 0; k < g64.length; k++) expect(Math.abs(g32[k]! - g64[k]!)).toBeLessThanOrEqual(1e-3 * scale + 1e-5);
  }

  it.each([
    ['q = 1', 1, false],
    ['q = 3 with pending points and an input transform (minimising)', 3, true],
  ])('matches the float64 value and gradient (%s)', (_, q, hard) => {
    const bounds = { lower: [-2, 0, 10, -1], upper: [2, 5, 20, 0] };
    const fit = hard ? fittedModel('matern-gamma', 50, d, 4, bounds) : { model, X };
    const pending = hard ? randomBatch(1, 2, d, 41, bounds).data : null;
    const options = { baseline: fit.X, seed: 9, maximize: !hard, pending };
    const acq = new qLogNoisyExpectedImprovement(fit.model, options);
    const scorer = new TfLogNoisyExpectedImprovement(tf, fit.model, options);
    try {
      const batch = randomBatch(6, q, d, 50 + q, hard ? bounds : undefined);
      const r32 = scorer.forwardWithGradient(batch);
      expect(outsideTolerance(scorer.forward(batch), r32.values, 1e-6)).toEqual([]);
      for (let t = 0; t < batch.b; t++) {
        const one = { b: 1, q, d, data: batch.data.slice(t * q * d, (t + 1) * q * d) };
        const r64 = acq.forwardWithGradient(one);
        expect(outsideTolerance(r64.values, r32.values.subarray(t, t + 1), TOL_TOP)).toEqual([]);
        compareGradients(r64.gradient, r32.gradient.subarray(t * q * d, (t + 1) * q * d));
      }
    } finally {
      scorer.dispose();
    }
  });

  it('keeps the tensor count after the first call', () => {
    const scorer = new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, seed: 1 });
    const batch = randomBatch(4, 2, d, 61);
    scorer.forwardWithGradient(batch); // builds the base-sample tensor for q' = 2
    const held = tf.memory().numTensors;
    scorer.forwardWithGradient(batch);
    scorer.forwardWithGradient({ ...batch, b: 1, data: batch.data.subarray(0, 2 * d) });
    expect(tf.memory().numTensors).toBe(held);
    scorer.dispose();
  });
});
