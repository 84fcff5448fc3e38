import { describe, expect, it } from 'vitest';
import {
  fromRows,
  MaternKernel,
  Normalize,
  Prng,
  ProductKernel,
  RBFKernel,
  ScaleKernel,
  ShapeError,
  SingleTaskGP,
  Standardize,
  type Kernel,
  type QBatch,
} from '@apiary/bo-core';

interface Setup {
  name: string;
  model: SingleTaskGP;
  lo: number[];
  hi: number[];
}

/** Training data on the box [lo, hi]^d with outcomes of scale ~20 around 100 (so Standardize matters). */
function build(name: string, kernel: Kernel, transforms: boolean, seed: number, knownNoise = false): Setup {
  const d = kernel.dim;
  const lo = Array.from({ length: d }, (_, j) => -2 + j);
  const hi = Array.from({ length: d }, (_, j) => 3 + 2 * j);
  const rng = new Prng(seed);
  const rows = Array.from({ length: 9 }, () => lo.map((l, j) => l + (hi[j]! - l) * rng.uniform()));
  const y = rows.map((r) => 100 + 20 * Math.sin(r[0]!) + 5 * r.reduce((a, b) => a + b, 0));
  const model = new SingleTaskGP(fromRows(rows), y, {
    kernel,
    inputTransform: transforms ? new Normalize(lo, hi) : null,
    outcomeTransform: transforms ? new Standardize() : null,
    initialNoise: transforms ? 0.02 : 4,
    initialMean: transforms ? 0.1 : 100,
    ...(knownNoise ? { noiseVariances: rows.map((_, i) => 0.5 + 0.1 * i) } : {}),
  });
  return { name, model, lo, hi };
}

function setups(): Setup[] {
  return [
    build('Scale(Matern-5/2), Normalize + Standardize', new ScaleKernel(new MaternKernel(2, { lengthscale: [0.3, 0.6] }), { outputscale: 1.4 }), true, 1),
    build('Scale(RBF), no transforms', new ScaleKernel(new RBFKernel(2, { lengthscale: [1.5, 2.5] }), { outputscale: 400 }), false, 2),
    build('Scale(Matern-5/2 x RBF) in 3-D, transforms, known noise', new ScaleKernel(new ProductKernel(new MaternKernel(3, { lengthscale: 0.5 }), new RBFKernel(3, { ard: false, lengthscale: 0.8 }))), true, 3, true),
  ];
}

function randomBatch(s: Setup, b: number, q: number, rng: Prng): QBatch {
  const d = s.lo.length;
  const data = new Float64Array(b * q * d);
  for (let i = 0; i < b * q; i++) for (let j = 0; j < d; j++) data[i * d + j] = s.lo[j]! + (s.hi[j]! - s.lo[j]!) * rng.uniform();
  return { b, q, d, data };
}

/** S(X) = sum gm . mean(X) + sum gC . cov(X). */
function scalar(model: SingleTaskGP, X: QBatch, gm: Float64Array, gC: Float64Array | null, observationNoise = false): number {
  const post = model.posterior(X, { observationNoise });
  let s = 0;
  for (let i = 0; i < gm.length; i++) s += gm[i]! * post.mean[i]!;
  if (gC) for (let i = 0; i < gC.length; i++) s += gC[i]! * post.covariance[i]!;
  return s;
}

/**
 * Central differences, step h = 1e-6 times the box width. S is a smooth O(1e2-1e4) quantity:
 * rounding contributes ~eps |S| / h (relative to the input scale) and truncation ~h^2, so the
 * analytic gradient must agree to 1e-6 relative to the largest component (1e-8 absolute floor).
 */
function checkAgainstFiniteDifferences(s: Setup, X: QBatch, gm: Float64Array, gC: Float64Array | null, observationNoise = false): void {
  const g = s.model.posteriorBackward(X, gm, gC);
  expect(g.length).toBe(X.data.length);
  const d = X.d;
  const fd = new Float64Array(g.length);
  for (let i = 0; i < X.data.length; i++) {
    const h = 1e-6 * (s.hi[i % d]! - s.lo[i % d]!);
    const p = X.data.slice();
    const m = X.data.slice();
    p[i]! += h;
    m[i]! -= h;
    fd[i] = (scalar(s.model, { ...X, data: p }, gm, gC, observationNoise) - scalar(s.model, { ...X, data: m }, gm, gC, observationNoise)) / (2 * h);
  }
  let scale = 0;
  for (const v of fd) scale = Math.max(scale, Math.abs(v));
  expect(scale).toBeGreaterThan(1e-3);
  for (let i = 0; i < g.length; i++) {
    const err = Math.abs(g[i]! - fd[i]!);
    if (!(err <= Math.max(1e-6 * scale, 1e-8))) {
      expect.fail(`${s.name}: dS/dX[${i}] analytic ${g[i]}, finite difference ${fd[i]} (err ${err.toExponential(2)}, scale ${scale.toExponential(2)})`);
    }
  }
}

function randomVector(n: number, rng: Prng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('SingleTaskGP.posteriorBackward vs finite differences', () => {
  for (const [k, s] of setups().entries()) {
    describe(s.name, () => {
      it('q = 1: mean and variance gradients, b = 4', () => {
        const rng = new Prng(100 + k);
        const X = randomBatch(s, 4, 1, rng);
        checkAgainstFiniteDifferences(s, X, randomVector(4, rng), randomVector(4, rng));
      });

      it('q = 3: mean and full covariance gradients (asymmetric gC), b = 2', () => {
        const rng = new Prng(200 + k);
        const X = randomBatch(s, 2, 3, rng);
        checkAgainstFiniteDifferences(s, X, randomVector(6, rng), randomVector(18, rng));
      });

      it('gradCovariance null: the gradient of the mean term alone', () => {
        const rng = new Prng(300 + k);
        const X = randomBatch(s, 3, 2, rng);
        const gm = randomVector(6, rng);
        checkAgainstFiniteDifferences(s, X, gm, null);
        // Same as an all-zero gC.
        const a = s.model.posteriorBackward(X, gm, null);
        const b = s.model.posteriorBackward(X, gm, new Float64Array(12));
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(a[i]!)));
      });

      it('observation noise is constant in X: the same gradient describes the noisy posterior', () => {
        const rng = new Prng(400 + k);
        const X = randomBatch(s, 2, 2, rng);
        checkAgainstFiniteDifferences(s, X, randomVector(4, rng), randomVector(8, rng), true);
      });
    });
  }

  it('is linear in (gradMean, gradCovariance) and separates over t-batches', () => {
    const s = setups()[0]!;
    const rng = new Prng(500);
    const X = randomBatch(s, 2, 2, rng);
    const gm = randomVector(4, rng);
    const gC = randomVector(8, rng);
    const full = s.model.posteriorBackward(X, gm, gC);
    const onlyMean = s.model.posteriorBackward(X, gm, null);
    const onlyCov = s.model.posteriorBackward(X, new Float64Array(4), gC);
    for (let i = 0; i < full.length; i++) expect(Math.abs(full[i]! - onlyMean[i]! - onlyCov[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(full[i]!)));
    // Zero weights on t-batch 1: its points get exactly zero gradient.
    const gm0 = gm.slice();
    const gC0 = gC.slice();
    gm0.fill(0, 2, 4);
    gC0.fill(0, 4, 8);
    const g0 = s.model.posteriorBackward(X, gm0, gC0);
    expect(Array.from(g0.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    expect(Array.from(g0.subarray(0, 4)).some((v) => v !== 0)).toBe(true);
  });

  it('rejects inconsistent shapes', () => {
    const { model } = setups()[0]!;
    const X: QBatch = { b: 2, q: 3, d: 2, data: new Float64Array(12).fill(0.5) };
    expect(() => model.posteriorBackward({ b: 2, q: 3, d: 3, data: new Float64Array(18) }, new Float64Array(6), null)).toThrow(ShapeError);
    expect(() => model.posteriorBackward({ b: 2, q: 3, d: 3, data: new Float64Array(18) }, new Float64Array(6), null)).toThrow(/expected points with d = 2, got d = 3/);
    expect(() => model.posteriorBackward(X, new Float64Array(5), null)).toThrow(/gradMean has 5 values, expected b \* q = 6/);
    expect(() => model.posteriorBackward(X, new Float64Array(6), new Float64Array(12))).toThrow(ShapeError);
    expect(() => model.posteriorBackward(X, new Float64Array(6), new Float64Array(12))).toThrow(/gradCovariance has 12 values, expected b \* q \* q = 18/);
  });
});
