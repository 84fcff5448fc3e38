import { initTensorflow, type Tfjs } from '@apiary/tf-runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchedCholesky, TfLogNoisyExpectedImprovement } from '../../src/acquisition/tf/index.js';
import {
  MaternKernel,
  Prng,
  RBFKernel,
  ScaleKernel,
  ShapeError,
  SingleTaskGP,
  SumKernel,
  UnsupportedError,
  type Kernel,
  type Model,
} from '../../src/index.js';
import { smallCholesky } from '../../src/linalg/small-cholesky.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = (await initTensorflow()).tf;
});

const d = 3;
const X = Float64Array.from({ length: 10 * d }, (_, i) => ((i * 0.618) % 1) as number);
const y = Array.from({ length: 10 }, (_, i) => Math.sin(i));
const gp = (kernel: Kernel) => new SingleTaskGP({ rows: 10, cols: d, data: X }, y, { kernel, inputTransform: null, outcomeTransform: null });

describe('TfLogNoisyExpectedImprovement: what it refuses', () => {
  it.each([
    ['Matérn-3/2', () => new ScaleKernel(new MaternKernel(d, { nu: 1.5 }))],
    ['a sum of kernels', () => new SumKernel(new RBFKernel(d), new MaternKernel(d))],
    ['nested scale kernels', () => new ScaleKernel(new ScaleKernel(new RBFKernel(d)))],
  ])('throws UnsupportedError for %s, so callers fall back to float64', (_, kernel) => {
    const before = tf.memory().numTensors;
    expect(() => new TfLogNoisyExpectedImprovement(tf, gp(kernel()), { baseline: X })).toThrow(UnsupportedError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts bare Matérn-5/2 and scaled RBF with a shared lengthscale', () => {
    for (const kernel of [new MaternKernel(d), new ScaleKernel(new RBFKernel(d, { ard: false, lengthscale: 0.3 }))]) {
      const s = new TfLogNoisyExpectedImprovement(tf, gp(kernel), { baseline: X, pruneBaseline: false });
      expect(Number.isFinite(s.forward({ b: 2, q: 1, d, data: X.subarray(0, 2 * d) })[0])).toBe(true);
      s.dispose();
    }
  });

  it('throws UnsupportedError for outcome constraints, other models and an empty baseline', () => {
    const model = gp(new RBFKernel(d));
    expect(() => new TfLogNoisyExpectedImprovement(tf, model, { baseline: X, constraints: [{ model, bound: 0 }] })).toThrow(UnsupportedError);
    const other: Model = { dim: d, numTrain: 1, posterior: () => model.posterior({ b: 1, q: 1, d, data: X.subarray(0, d) }), predict: () => model.predict({ rows: 1, cols: d, data: X.subarray(0, d) }) };
    expect(() => new TfLogNoisyExpectedImprovement(tf, other, { baseline: X })).toThrow(UnsupportedError);
    expect(() => new TfLogNoisyExpectedImprovement(tf, model, { baseline: new Float64Array(0) })).toThrow(UnsupportedError);
  });

  it('checks shapes', () => {
    const s = new TfLogNoisyExpectedImprovement(tf, gp(new RBFKernel(d)), { baseline: X });
    expect(() => s.forward({ b: 1, q: 1, d: 2, data: new Float64Array(2) })).toThrow(ShapeError);
    expect(() => s.forward({ b: 2, q: 1, d, data: new Float64Array(d) })).toThrow(ShapeError);
    s.dispose();
    expect(() => new TfLogNoisyExpectedImprovement(tf, gp(new RBFKernel(d)), { baseline: X, pending: new Float64Array(2) })).toThrow(ShapeError);
  });
});

describe('batchedCholesky', () => {
  it('matches the float64 smallCholesky on random blocks, and clamps a singular one', () => {
    const m = 4;
    const b = 6;
    const rng = new Prng(3);
    const S = new Float64Array(b * m * m);
    for (let t = 0; t < b; t++) {
      const G = Array.from({ length: m * m }, () => rng.normal());
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let acc = i === j ? 0.1 : 0;
          // The last block has rank 1 (its later pivots are zero).
          for (let k = 0; k < m; k++) acc += t === b - 1 ? (k === 0 ? G[i]! * G[j]! : 0) : G[i * m + k]! * G[j * m + k]!;
          S[t * m * m + i * m + j] = acc;
        }
      }
    }
    const L32 = tf.tidy(() => batchedCholesky(tf, tf.tensor3d(Float32Array.from(S), [b, m, m])).dataSync());
    for (let t = 0; t < b - 1; t++) {
      const L64 = new Float64Array(m * m);
      smallCholesky(S.subarray(t * m * m, (t + 1) * m * m), m, L64);
      for (let k = 0; k < m * m; k++) expect(L32[t * m * m + k]).toBeCloseTo(L64[k]!, 4);
    }
    const last = Array.from(L32.subarray((b - 1) * m * m));
    expect(last.every(Number.isFinite)).toBe(true);
    // L Lᵀ reproduces the rank-1 block.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let k = 0; k < m; k++) acc += last[i * m + k]! * last[j * m + k]!;
        expect(acc).toBeCloseTo(S[(b - 1) * m * m + i * m + j]!, 3);
      }
    }
  });
});
