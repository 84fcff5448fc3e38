import { initTensorflow, type Tfjs } from '@apiary/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { TfLogNoisyExpectedImprovement } from '../../src/acquisition/tf/index.js';
import { buildPresetModel, fitGP, Normalize, Prng, qLogNoisyExpectedImprovement, type ConcretePreset, type QBatch, type SingleTaskGP } from '../../src/index.js';

/** A smooth test function on [0, 1]^d (any d), with a little noise. */
function fittedModel(preset: ConcretePreset, n: number, d: number, seed: number, bounds?: { lower: number[]; upper: number[] }): { model: SingleTaskGP; X: Float64Array } {
  const rng = new Prng(seed);
  const X = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) {
      const u = rng.uniform();
      X[i * d + j] = bounds ? bounds.lower[j]! + u * (bounds.upper[j]! - bounds.lower[j]!) : u;
      v += Math.sin(5 * u + j) * (j + 1) * 0.3;
    }
    y[i] = v + 0.01 * rng.normal();
  }
  const transform = bounds ? new Normalize(bounds.lower, bounds.upper) : null;
  const { model, noiseFloor } = buildPresetModel(preset, { rows: n, cols: d, data: X }, y, transform);
  fitGP(model, { noiseFloor, seed });
  return { model, X };
}

/** `b x q x d` uniform points in the box (default the unit cube). */
function randomBatch(b: number, q: number, d: number, seed: number, bounds?: { lower: number[]; upper: number[] }): QBatch {
  const rng = new Prng(seed);
  const data = new Float64Array(b * q * d);
  for (let i = 0; i < data.length; i++) {
    const j = i % d;
    const u = rng.uniform();
    data[i] = bounds ? bounds.lower[j]! + u * (bounds.upper[j]! - bounds.lower[j]!) : u;
  }
  return { b, q, d, data };
}

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
