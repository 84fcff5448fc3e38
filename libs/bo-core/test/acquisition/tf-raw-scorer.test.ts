import { initTensorflow, type Tfjs } from '@apiary/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTfRawScorer, TfLogNoisyExpectedImprovement } from '../../src/acquisition/tf/index.js';
import {
  MaternKernel,
  optimizeAcqf,
  qLogNoisyExpectedImprovement,
  ScaleKernel,
  SingleTaskGP,
  UnsupportedError,
  type OptimizeAcqfOptions,
} from '../../src/index.js';
import { fittedModel, randomBatch } from '../support/tf-fixtures.js';

let tf: Tfjs;
let model: SingleTaskGP;
let X: Float64Array;
const d = 4;

beforeAll(async () => {
  tf = (await initTensorflow()).tf;
  ({ model, X } = fittedModel('matern-gamma', 60, d, 1));
});

describe('optimizeAcqf with the float32 tf raw scorer (makeTfRawScorer)', () => {
  // Short L-BFGS-B runs keep the test fast; the comparison only needs both runs to be the same.
  const base: OptimizeAcqfOptions = { numRestarts: 4, rawSamples: 128, maxIterations: 15, seed: 11 };
  const acqOptions = (): { baseline: Float64Array; seed: number } => ({ baseline: X, seed: 5 });

  it.each([
    ['q = 1', { q: 1 }],
    ['joint q = 2', { q: 2 }],
    ['sequential q = 3', { q: 3, sequential: true }],
  ])('chooses the same starting points, so the same batch and values, as float64 scoring (%s)', (_, extra) => {
    const opts = { baseline: X, seed: 5 };
    const withPending = (points: Float64Array) => new qLogNoisyExpectedImprovement(model, { ...opts, pending: points });
    const plain = optimizeAcqf(new qLogNoisyExpectedImprovement(model, opts), { ...base, ...extra, withPending });
    const rawScorer = makeTfRawScorer(tf, model, opts);
    try {
      const scored = optimizeAcqf(new qLogNoisyExpectedImprovement(model, opts), { ...base, ...extra, withPending, rawScorer });
      expect(scored.restarts.map((r) => r.startIndex)).toEqual(plain.restarts.map((r) => r.startIndex));
      expect(scored.candidates).toEqual(plain.candidates);
      expect(scored.steps).toEqual(plain.steps); // values and raw bests, all float64
    } finally {
      rawScorer.dispose();
    }
  });

  it('leaks no tensors: optimizeAcqf disposes what it derives, the caller disposes the scorer', () => {
    const before = tf.memory().numTensors;
    const rawScorer = makeTfRawScorer(tf, model, acqOptions());
    const withPending = (points: Float64Array) => new qLogNoisyExpectedImprovement(model, { ...acqOptions(), pending: points });
    optimizeAcqf(new qLogNoisyExpectedImprovement(model, acqOptions()), { ...base, maxIterations: 2, q: 3, sequential: true, withPending, rawScorer });
    rawScorer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws UnsupportedError, so the caller scores in float64, for an unsupported model and on the cpu backend', async () => {
    const m32 = new SingleTaskGP({ rows: 60, cols: d, data: X }, model.trainY, {
      kernel: new ScaleKernel(new MaternKernel(d, { nu: 1.5 })),
      inputTransform: null,
      outcomeTransform: null,
    });
    const before = tf.memory().numTensors;
    expect(() => makeTfRawScorer(tf, m32, acqOptions())).toThrow(UnsupportedError);
    expect(() => makeTfRawScorer(tf, model, { ...acqOptions(), constraints: [{ model, bound: 0 }] })).toThrow(UnsupportedError);
    const chosen = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      expect(() => makeTfRawScorer(tf, model, acqOptions())).toThrow(/cpu backend/);
      makeTfRawScorer(tf, model, { ...acqOptions(), allowCpuBackend: true }).dispose();
    } finally {
      await tf.setBackend(chosen);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('TfLogNoisyExpectedImprovement.withPending', () => {
  it('equals a scorer built with the joined pending points, and shares the model constants safely', () => {
    const before = tf.memory().numTensors;
    const first = randomBatch(1, 1, d, 31).data;
    const more = randomBatch(1, 2, d, 32).data;
    const joined = new Float64Array([...first, ...more]);
    const batch = randomBatch(16, 2, d, 33);
    const parent = new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, seed: 3, pending: first });
    const child = parent.withPending(more);
    const fresh = new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, seed: 3, pending: joined });
    expect(child.forward(batch)).toEqual(fresh.forward(batch));
    fresh.dispose();
    const again = new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, seed: 3, pending: joined });
    const expected = again.forward(batch);
    again.dispose();
    parent.dispose(); // the child keeps the shared constants alive
    expect(() => parent.forward(batch)).toThrow(/disposed/);
    expect(child.forward(batch)).toEqual(expected);
    child.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
