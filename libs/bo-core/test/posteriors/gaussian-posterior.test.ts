import { describe, expect, it } from 'vitest';
import {
  fromRows,
  GaussianPosterior,
  MaternKernel,
  Normalize,
  Prng,
  qBatch,
  ScaleKernel,
  ShapeError,
  SingleTaskGP,
  Standardize,
  type QBatch,
} from '@apiary/bo-core';

const EPS = 2 ** -52;

/** b random SPD q x q blocks A A^T + 0.1 I with A uniform in [-1, 1], and random means. */
function randomPosterior(b: number, q: number, seed: number): GaussianPosterior {
  const rng = new Prng(seed);
  const mean = Float64Array.from({ length: b * q }, () => 4 * rng.uniform() - 2);
  const cov = new Float64Array(b * q * q);
  for (let t = 0; t < b; t++) {
    const A = Array.from({ length: q * q }, () => 2 * rng.uniform() - 1);
    for (let j = 0; j < q; j++) {
      for (let k = 0; k < q; k++) {
        let s = j === k ? 0.1 : 0;
        for (let l = 0; l < q; l++) s += A[j * q + l]! * A[k * q + l]!;
        cov[t * q * q + j * q + k] = s;
      }
    }
  }
  return new GaussianPosterior(b, q, mean, cov);
}

function normals(count: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: count }, () => rng.normal());
}

describe('GaussianPosterior.rsample', () => {
  it('empirical mean and covariance match, within 5 standard errors', () => {
    const b = 2;
    const q = 3;
    const s = 40000;
    const post = randomPosterior(b, q, 1);
    const f = post.rsample(normals(s * b * q, 2), s);
    expect(f.length).toBe(s * b * q);
    for (let t = 0; t < b; t++) {
      const C = (j: number, k: number): number => post.covariance[t * q * q + j * q + k]!;
      const m = new Float64Array(q);
      for (let r = 0; r < s; r++) for (let j = 0; j < q; j++) m[j]! += f[(r * b + t) * q + j]! / s;
      for (let j = 0; j < q; j++) {
        // Standard error of a sample mean: sqrt(C_jj / s).
        const se = Math.sqrt(C(j, j) / s);
        expect(Math.abs(m[j]! - post.mean[t * q + j]!)).toBeLessThanOrEqual(5 * se);
      }
      for (let j = 0; j < q; j++) {
        for (let k = 0; k <= j; k++) {
          let c = 0;
          for (let r = 0; r < s; r++) c += (f[(r * b + t) * q + j]! - m[j]!) * (f[(r * b + t) * q + k]! - m[k]!);
          c /= s - 1;
          // Gaussian data: Var(sample cov_jk) ~ (C_jj C_kk + C_jk^2) / s.
          const se = Math.sqrt((C(j, j) * C(k, k) + C(j, k) ** 2) / s);
          expect(Math.abs(c - C(j, k))).toBeLessThanOrEqual(5 * se);
        }
      }
    }
  });

  it('is mean + L z with L the lower Cholesky factor: unit base samples recover L, and L L^T = C', () => {
    const b = 3;
    const q = 4;
    const post = randomPosterior(b, q, 3);
    // Sample r uses z = e_r for every t-batch.
    const base = new Float64Array(q * b * q);
    for (let r = 0; r < q; r++) for (let t = 0; t < b; t++) base[(r * b + t) * q + r] = 1;
    const f = post.rsample(base, q);
    for (let t = 0; t < b; t++) {
      const L = (j: number, r: number): number => f[(r * b + t) * q + j]! - post.mean[t * q + j]!;
      for (let j = 0; j < q; j++) {
        expect(L(j, j)).toBeGreaterThan(0);
        for (let r = j + 1; r < q; r++) expect(L(j, r)).toBe(0);
      }
      for (let j = 0; j < q; j++) {
        for (let k = 0; k < q; k++) {
          let acc = 0;
          for (let r = 0; r < q; r++) acc += L(j, r) * L(k, r);
          const c = post.covariance[t * q * q + j * q + k]!;
          const scale = Math.sqrt(post.covariance[t * q * q + j * q + j]! * post.covariance[t * q * q + k * q + k]!);
          // Well-conditioned blocks: no jitter, so L L^T = C up to rounding (and the mean's cancellation).
          expect(Math.abs(acc - c)).toBeLessThanOrEqual(1e-13 * Math.max(1, scale));
        }
      }
    }
  });

  it('q = 1 is mean + sd z exactly', () => {
    const post = new GaussianPosterior(2, 1, Float64Array.from([1, -2]), Float64Array.from([4, 0.25]));
    const z = Float64Array.from([0.5, -1, 2, 0]);
    expect(Array.from(post.rsample(z, 2))).toEqual([2, -2.5, 5, -2]);
  });

  it('is deterministic in the base samples, and linear in them', () => {
    const post = randomPosterior(2, 3, 4);
    const z = normals(5 * 6, 5);
    const a = post.rsample(z, 5);
    const b = post.rsample(z, 5);
    expect(Array.from(b)).toEqual(Array.from(a));
    // A fresh posterior with the same moments gives the same samples.
    const twin = new GaussianPosterior(2, 3, post.mean.slice(), post.covariance.slice());
    expect(Array.from(twin.rsample(z, 5))).toEqual(Array.from(a));
    // Zero base samples give the mean; negated ones reflect around it.
    const zero = post.rsample(new Float64Array(6), 1);
    expect(Array.from(zero)).toEqual(Array.from(post.mean));
    const neg = post.rsample(z.map((v) => -v), 5);
    for (let i = 0; i < a.length; i++) {
      const mu = post.mean[i % 6]!;
      expect(Math.abs(neg[i]! - mu + (a[i]! - mu))).toBeLessThanOrEqual(8 * EPS * (Math.abs(mu) + Math.abs(a[i]!)));
    }
    // Changing one base sample changes only that sample's batch.
    const z2 = z.slice();
    z2[7] = z2[7]! + 1; // sample 1, t-batch 0, point 1
    const c = post.rsample(z2, 5);
    for (let i = 0; i < a.length; i++) {
      if (i >= 6 && i < 9) continue;
      expect(c[i]).toBe(a[i]);
    }
    expect(c[7]).not.toBe(a[7]);
  });

  it('shared base samples (s x 1 x q) broadcast over the t-batches', () => {
    const b = 3;
    const q = 2;
    const s = 4;
    const post = randomPosterior(b, q, 6);
    const shared = normals(s * q, 7);
    const full = new Float64Array(s * b * q);
    for (let r = 0; r < s; r++) for (let t = 0; t < b; t++) for (let j = 0; j < q; j++) full[(r * b + t) * q + j] = shared[r * q + j]!;
    const a = post.rsample(shared, s);
    const c = post.rsample(full, s);
    expect(a.length).toBe(s * b * q);
    expect(Array.from(a)).toEqual(Array.from(c));
  });

  it('a singular covariance (a duplicate point in a q-batch) samples finitely, the duplicate pair equal', () => {
    const X = fromRows([[0.1], [0.35], [0.6], [0.9]]);
    const model = new SingleTaskGP(X, [0.2, -0.4, 0.5, 1.0], {
      kernel: new ScaleKernel(new MaternKernel(1, { lengthscale: 0.3 })),
      inputTransform: null,
      outcomeTransform: null,
      initialNoise: 1e-3,
    });
    const post = model.posterior(qBatch([[[0.5], [0.5], [0.75]], [[0.2], [0.8], [0.2]]]));
    const C = post.covariance;
    // The duplicate rows of each block are exactly equal: the block is singular.
    expect(C[0]).toBe(C[1]);
    expect(C[1]).toBe(C[4]);
    expect(C[2]).toBe(C[5]);
    expect(C[9 + 0]).toBe(C[9 + 2]);
    expect(C[9 + 8]).toBe(C[9 + 2]);
    const s = 200;
    const z = normals(s * 2 * 3, 8);
    const f = post.rsample(z, s);
    let maxRel = 0;
    for (let r = 0; r < s; r++) {
      for (let i = 0; i < 3 * 2; i++) expect(Number.isFinite(f[r * 6 + i]!)).toBe(true);
      const zr = z.subarray(r * 6, r * 6 + 6);
      // With a diagonal jitter J the duplicate pair differs by about sqrt(2 J) |z|; the jitter
      // ladder starts at 1e-10 of the block's mean variance: allow up to 1e-8 of it.
      const meanVar0 = (C[0]! + C[4]! + C[8]!) / 3;
      const meanVar1 = (C[9]! + C[13]! + C[17]!) / 3;
      const tol0 = Math.sqrt(2e-8 * meanVar0) * (Math.abs(zr[0]!) + Math.abs(zr[1]!));
      const tol1 = Math.sqrt(2e-8 * meanVar1) * (Math.abs(zr[3]!) + Math.abs(zr[5]!));
      expect(Math.abs(f[r * 6 + 0]! - f[r * 6 + 1]!)).toBeLessThanOrEqual(tol0);
      expect(Math.abs(f[r * 6 + 3]! - f[r * 6 + 5]!)).toBeLessThanOrEqual(tol1);
      maxRel = Math.max(maxRel, Math.abs(f[r * 6]! - f[r * 6 + 1]!) / Math.sqrt(C[0]!));
    }
    // Still genuinely random: the samples spread with the marginal standard deviation.
    const col = Array.from({ length: s }, (_, r) => f[r * 6]!);
    const mu = col.reduce((a, v) => a + v, 0) / s;
    const sd = Math.sqrt(col.reduce((a, v) => a + (v - mu) ** 2, 0) / (s - 1));
    expect(sd).toBeGreaterThan(0.7 * Math.sqrt(C[0]!));
    expect(sd).toBeLessThan(1.3 * Math.sqrt(C[0]!));
    expect(maxRel).toBeLessThan(1e-3);
  });

  it('a block with tiny negative eigenvalues (rounding) still samples finitely', () => {
    // Rank one v v^T minus 1e-17 on the diagonal: not positive semi-definite by rounding.
    const v = [1, 2, -1];
    const cov = new Float64Array(9);
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) cov[j * 3 + k] = v[j]! * v[k]! - (j === k ? 1e-17 : 0);
    const post = new GaussianPosterior(1, 3, new Float64Array(3), cov);
    const z = normals(300, 9);
    const f = post.rsample(z, 100);
    for (const x of f) expect(Number.isFinite(x)).toBe(true);
    // Rank one: every sample is (nearly) a multiple of v.
    for (let r = 0; r < 100; r++) {
      const a = f[r * 3]!;
      expect(Math.abs(f[r * 3 + 1]! - 2 * a)).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(a)));
      expect(Math.abs(f[r * 3 + 2]! + a)).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(a)));
    }
  });

  it('rejects inconsistent shapes', () => {
    expect(() => new GaussianPosterior(2, 3, new Float64Array(5), new Float64Array(18))).toThrow(ShapeError);
    expect(() => new GaussianPosterior(2, 3, new Float64Array(5), new Float64Array(18))).toThrow(/mean has 5 values, expected b \* q = 6/);
    expect(() => new GaussianPosterior(2, 3, new Float64Array(6), new Float64Array(9))).toThrow(/covariance has 9 values, expected b \* q \* q = 18/);
    const post = randomPosterior(2, 3, 10);
    expect(() => post.rsample(new Float64Array(10), 2)).toThrow(ShapeError);
    expect(() => post.rsample(new Float64Array(10), 2)).toThrow(/base samples have 10 values, expected s x b x q = 12 or s x 1 x q = 6/);
    // s x b x q for a different s is also wrong.
    expect(() => post.rsample(new Float64Array(18), 2)).toThrow(ShapeError);
  });

  it('variance() is the clamped diagonal', () => {
    const post = new GaussianPosterior(1, 2, new Float64Array(2), Float64Array.from([2, 0.5, 0.5, -1e-18]));
    expect(Array.from(post.variance())).toEqual([2, 0]);
  });
});

describe('SingleTaskGP.posterior over b x q batches', () => {
  function model(): SingleTaskGP {
    const rng = new Prng(20);
    const rows = Array.from({ length: 10 }, () => [10 * rng.uniform(), -5 + 10 * rng.uniform()]);
    const y = rows.map(([a, b]) => 50 + 10 * Math.sin(a! / 2) - b! * b!);
    return new SingleTaskGP(fromRows(rows), y, {
      kernel: new ScaleKernel(new MaternKernel(2, { lengthscale: [0.3, 0.5] }), { outputscale: 1.5 }),
      inputTransform: new Normalize([0, -5], [10, 5]),
      outcomeTransform: new Standardize(),
      initialNoise: 0.01,
      initialMean: 0.2,
    });
  }

  function randomBatch(b: number, q: number, seed: number): QBatch {
    const rng = new Prng(seed);
    const data = new Float64Array(b * q * 2);
    for (let i = 0; i < b * q; i++) {
      data[2 * i] = 10 * rng.uniform();
      data[2 * i + 1] = -5 + 10 * rng.uniform();
    }
    return { b, q, d: 2, data };
  }

  function expectClose(a: number, e: number, scale: number, what: string): void {
    // Same arithmetic on the same columns up to summation order: rounding of O(n) terms.
    if (!(Math.abs(a - e) <= 1e-12 * scale)) expect.fail(`${what}: ${a} vs ${e}`);
  }

  it('each q x q block equals the matching block of one joint posterior over all b * q points', () => {
    const m = model();
    const b = 4;
    const q = 3;
    const X = randomBatch(b, q, 21);
    const batched = m.posterior(X);
    const joint = m.posterior({ b: 1, q: b * q, d: 2, data: X.data });
    expect(batched.b).toBe(b);
    expect(batched.q).toBe(q);
    const N = b * q;
    let maxVar = 0;
    for (let i = 0; i < N; i++) maxVar = Math.max(maxVar, joint.covariance[i * N + i]!);
    for (let t = 0; t < b; t++) {
      for (let j = 0; j < q; j++) {
        expectClose(batched.mean[t * q + j]!, joint.mean[t * q + j]!, 100, `mean ${t},${j}`);
        for (let k = 0; k < q; k++) {
          const g = (t * q + j) * N + t * q + k;
          expectClose(batched.covariance[t * q * q + j * q + k]!, joint.covariance[g]!, maxVar, `cov ${t},${j},${k}`);
        }
      }
    }
    // The joint posterior does correlate points of different t-batches; the batched one drops that.
    let maxCross = 0;
    for (let j = 0; j < q; j++) for (let k = 0; k < q; k++) maxCross = Math.max(maxCross, Math.abs(joint.covariance[j * N + q + k]!));
    expect(maxCross).toBeGreaterThan(1e-3 * maxVar);
    // The batched observation-noise posterior adds the noise on each block's diagonal only.
    const noisy = m.posterior(X, { observationNoise: true });
    const s2 = (m.outcomeTransform as Standardize).statistics.std ** 2;
    for (let t = 0; t < b; t++) {
      for (let j = 0; j < q; j++) {
        for (let k = 0; k < q; k++) {
          const i = t * q * q + j * q + k;
          const extra = j === k ? 0.01 * s2 : 0;
          expectClose(noisy.covariance[i]! - batched.covariance[i]!, extra, maxVar, `noise ${t},${j},${k}`);
        }
      }
    }
  });

  it('different t-batches do not interact', () => {
    const m = model();
    const X = randomBatch(3, 2, 22);
    const all = m.posterior(X);
    for (let t = 0; t < 3; t++) {
      const alone = m.posterior({ b: 1, q: 2, d: 2, data: X.data.slice(t * 4, (t + 1) * 4) });
      for (let j = 0; j < 2; j++) expect(Math.abs(alone.mean[j]! - all.mean[t * 2 + j]!)).toBeLessThanOrEqual(1e-12 * 100);
      for (let k = 0; k < 4; k++) expect(Math.abs(alone.covariance[k]! - all.covariance[t * 4 + k]!)).toBeLessThanOrEqual(1e-12 * 100);
    }
    // Moving the points of batch 2 leaves batches 0 and 1 bit-for-bit unchanged.
    const moved = { ...X, data: X.data.slice() };
    moved.data.fill(3.3, 8, 12);
    const after = m.posterior(moved);
    for (let i = 0; i < 4; i++) expect(after.mean[i]).toBe(all.mean[i]);
    for (let i = 0; i < 8; i++) expect(after.covariance[i]).toBe(all.covariance[i]);
    expect(after.mean[4]).not.toBe(all.mean[4]);
  });

  it('predict equals the diagonal of q = 1 posteriors, and the posterior checks d', () => {
    const m = model();
    const X = randomBatch(5, 1, 23);
    const p = m.predict({ rows: 5, cols: 2, data: X.data });
    const post = m.posterior(X);
    expect(Array.from(p.mean)).toEqual(Array.from(post.mean));
    expect(Array.from(p.variance)).toEqual(Array.from(post.variance()));
    expect(() => m.posterior({ b: 1, q: 1, d: 3, data: new Float64Array(3) })).toThrow(ShapeError);
    expect(() => qBatch([[[0, 0]], [[0, 0], [1, 1]]])).toThrow(/t-batch 1 has 2 points, expected q = 1/);
  });
});
