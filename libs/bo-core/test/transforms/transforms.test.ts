import { describe, expect, it } from 'vitest';
import { fromRows, InputDataError, Normalize, Prng, ShapeError, Standardize, type Matrix } from '@apiary/bo-core';

const EPS = 2 ** -52;

function randomRows(n: number, lower: readonly number[], upper: readonly number[], seed: number): Matrix {
  const rng = new Prng(seed);
  return fromRows(Array.from({ length: n }, () => lower.map((lo, j) => lo + (upper[j]! - lo) * rng.uniform())));
}

describe('Normalize', () => {
  const lower = [-3, 100, 1e-3];
  const upper = [5, 250, 2e-3];

  it('maps the box onto the unit cube: corners, centre and an interior point', () => {
    const t = new Normalize(lower, upper);
    expect(t.dim).toBe(3);
    const Z = t.transform(fromRows([lower, upper, [1, 175, 1.5e-3], [-1, 130, 1.25e-3]]));
    const expected = [0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.2, 0.25];
    expected.forEach((e, i) => expect(Math.abs(Z.data[i]! - e)).toBeLessThanOrEqual(4 * EPS));
    expect(Z.rows).toBe(4);
    expect(Z.cols).toBe(3);
  });

  it('transform / untransform round-trip to a few ulps, in both directions', () => {
    const t = new Normalize(lower, upper);
    const X = randomRows(50, lower, upper, 1);
    const back = t.untransform(t.transform(X));
    for (let i = 0; i < X.data.length; i++) {
      const j = i % 3;
      // (x - lo) / r * r + lo: each operation rounds once, relative to the larger of |x| and |lo|.
      const scale = Math.max(Math.abs(X.data[i]!), Math.abs(lower[j]!), upper[j]! - lower[j]!);
      expect(Math.abs(back.data[i]! - X.data[i]!)).toBeLessThanOrEqual(4 * EPS * scale);
    }
    const Z = randomRows(20, [0, 0, 0], [1, 1, 1], 2);
    const Z2 = t.transform(t.untransform(Z));
    for (let i = 0; i < Z.data.length; i++) {
      const j = i % 3;
      const cond = Math.max(Math.abs(lower[j]!), Math.abs(upper[j]!)) / (upper[j]! - lower[j]!);
      expect(Math.abs(Z2.data[i]! - Z.data[i]!)).toBeLessThanOrEqual(8 * EPS * Math.max(1, cond));
    }
  });

  it('does not modify its input and returns fresh matrices', () => {
    const t = new Normalize([0], [2]);
    const X = fromRows([[1], [2]]);
    const Z = t.transform(X);
    expect(Array.from(X.data)).toEqual([1, 2]);
    expect(Z.data).not.toBe(X.data);
    expect(Array.from(Z.data)).toEqual([0.5, 1]);
  });

  it('fromData learns the per-dimension min and max', () => {
    const X = fromRows([
      [2, -1, 7],
      [5, -4, 7.5],
      [3, 0.5, 6],
    ]);
    const t = Normalize.fromData(X);
    expect(Array.from(t.lower)).toEqual([2, -4, 6]);
    expect(Array.from(t.upper)).toEqual([5, 0.5, 7.5]);
    const Z = t.transform(X);
    for (let j = 0; j < 3; j++) {
      const col = [0, 1, 2].map((i) => Z.data[i * 3 + j]!);
      expect(Math.min(...col)).toBe(0);
      expect(Math.abs(Math.max(...col) - 1)).toBeLessThanOrEqual(EPS);
    }
    t.assertWithinBounds(X);
  });

  it('fromData gives a zero-range dimension range 1 (and maps it to 0)', () => {
    const X = fromRows([
      [1, 4],
      [2, 4],
      [3, 4],
    ]);
    const t = Normalize.fromData(X);
    expect(Array.from(t.lower)).toEqual([1, 4]);
    expect(Array.from(t.upper)).toEqual([3, 5]);
    const Z = t.transform(X);
    expect([Z.data[1], Z.data[3], Z.data[5]]).toEqual([0, 0, 0]);
    expect(Array.from(t.jacobianDiagonal())).toEqual([0.5, 1]);
    // A single point: every dimension has zero range.
    const one = Normalize.fromData(fromRows([[-2, 9]]));
    expect(Array.from(one.upper)).toEqual([-1, 10]);
    expect(() => Normalize.fromData(fromRows([]))).toThrow(InputDataError);
  });

  it('assertWithinBounds: default tolerance 1e-9 of the range, naming the point and dimension', () => {
    const t = new Normalize([0, 10], [1, 30]);
    // Inside, on the bounds and within 0.5e-9 x range outside: accepted.
    t.assertWithinBounds(fromRows([[0, 10], [1, 30], [0.5, 20], [1 + 0.5e-9, 30 + 0.5e-9 * 20], [-0.5e-9, 10 - 0.5e-9 * 20]]));
    // 2e-9 x range outside: rejected.
    expect(() => t.assertWithinBounds(fromRows([[0.5, 20], [1 + 2e-9, 20]]))).toThrow(InputDataError);
    expect(() => t.assertWithinBounds(fromRows([[0.5, 20], [1 + 2e-9, 20]]))).toThrow(/^point 1 has x\[0\] = 1\.000000002, outside the bounds \[0, 1\]/);
    // The slack scales with each dimension's range: 2e-9 absolute is inside for range 20 (slack 2e-8).
    t.assertWithinBounds(fromRows([[0.5, 30 + 1.5e-8]]));
    expect(() => t.assertWithinBounds(fromRows([[0.5, 30 + 3e-8]]))).toThrow(/^point 0 has x\[1\]/);
    expect(() => t.assertWithinBounds(fromRows([[0.5, 10 - 3e-8]]))).toThrow(/^point 0 has x\[1\] = 9\.99999997/);
    expect(() => t.assertWithinBounds(fromRows([[0.5]]))).toThrow(ShapeError);
  });

  it('assertWithinBounds honours a custom tolerance, and 0 means exact', () => {
    const loose = new Normalize([0], [2], { tolerance: 0.1 });
    loose.assertWithinBounds(fromRows([[-0.19], [2.19]]));
    expect(() => loose.assertWithinBounds(fromRows([[2.21]]))).toThrow(InputDataError);
    const exact = new Normalize([0], [2], { tolerance: 0 });
    exact.assertWithinBounds(fromRows([[0], [2]]));
    expect(() => exact.assertWithinBounds(fromRows([[2 + 4 * EPS]]))).toThrow(InputDataError);
    expect(() => exact.assertWithinBounds(fromRows([[-Number.MIN_VALUE]]))).toThrow(InputDataError);
  });

  it('jacobianDiagonal matches central finite differences of transform (and is diagonal)', () => {
    const t = new Normalize(lower, upper);
    const jac = t.jacobianDiagonal();
    const x = [1.3, 180, 1.7e-3];
    for (let j = 0; j < 3; j++) {
      const h = 1e-6 * (upper[j]! - lower[j]!);
      const xp = x.slice();
      const xm = x.slice();
      xp[j]! += h;
      xm[j]! -= h;
      const Zp = t.transform(fromRows([xp]));
      const Zm = t.transform(fromRows([xm]));
      for (let k = 0; k < 3; k++) {
        const fd = (Zp.data[k]! - Zm.data[k]!) / (2 * h);
        // Affine map: the difference is exact up to the rounding of z (~eps) over 2h / range = 2e-6.
        if (k === j) expect(Math.abs(fd - jac[j]!)).toBeLessThanOrEqual(1e-9 * jac[j]!);
        else expect(fd).toBe(0);
      }
      expect(Math.abs(jac[j]! * (upper[j]! - lower[j]!) - 1)).toBeLessThanOrEqual(EPS);
    }
  });

  it('rejects invalid bounds with typed errors naming the dimension', () => {
    expect(() => new Normalize([0, 0], [1])).toThrow(ShapeError);
    expect(() => new Normalize([0, 0], [1])).toThrow(/lower has 2 entries but upper has 1/);
    expect(() => new Normalize([], [])).toThrow(ShapeError);
    expect(() => new Normalize([0, 1], [1, 1])).toThrow(InputDataError);
    expect(() => new Normalize([0, 1], [1, 1])).toThrow(/bounds of dimension 1 are \[1, 1\]/);
    expect(() => new Normalize([2], [1])).toThrow(/bounds of dimension 0 are \[2, 1\]/);
    expect(() => new Normalize([NaN], [1])).toThrow(/bounds of dimension 0 are \[NaN, 1\]/);
    expect(() => new Normalize([0, -Infinity], [1, 0])).toThrow(/bounds of dimension 1 are \[-Infinity, 0\]/);
    const t = new Normalize([0, 0], [1, 1]);
    expect(() => t.transform(fromRows([[0.5]]))).toThrow(ShapeError);
    expect(() => t.untransform(fromRows([[0.5, 0.5, 0.5]]))).toThrow(/expected points with 2 columns, got 3/);
  });
});

/** Mean and n - 1 standard deviation, two-pass. */
function moments(y: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < y.length; i++) m += y[i]!;
  m /= y.length;
  let ss = 0;
  for (let i = 0; i < y.length; i++) ss += (y[i]! - m) ** 2;
  return { mean: m, std: Math.sqrt(ss / (y.length - 1)) };
}

describe('Standardize', () => {
  const rng = new Prng(5);
  const y = Float64Array.from({ length: 37 }, () => 1e3 + 250 * rng.normal());

  it('z has mean 0 and standard deviation 1 (n - 1 denominator)', () => {
    const t = new Standardize().fit(y);
    const { z } = t.forward(y);
    const m = moments(z);
    // The mean's rounding (~eps |y| / sigma ~ 4 eps) plus n roundings of |z| <~ 3 in the sum.
    expect(Math.abs(m.mean)).toBeLessThanOrEqual(1e-13);
    expect(Math.abs(m.std - 1)).toBeLessThanOrEqual(1e-13);
    const ref = moments(y);
    expect(Math.abs(t.statistics.mean - ref.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(ref.mean));
    expect(Math.abs(t.statistics.std - ref.std)).toBeLessThanOrEqual(1e-12 * ref.std);
    // Not the population (n) standard deviation: they differ by sqrt(n / (n - 1)) ~ 1.4%.
    const popStd = ref.std * Math.sqrt((y.length - 1) / y.length);
    expect(Math.abs(t.statistics.std - popStd)).toBeGreaterThan(1e-3 * ref.std);
    expect(t.affineScale()).toBe(t.statistics.std);
  });

  it('logDetJacobian = -n log sigma, matching finite-difference log|dz_i/dy_i| summed (elementwise map)', () => {
    const t = new Standardize().fit(y);
    const sigma = t.statistics.std;
    const fwd = t.forward(y);
    expect(Math.abs(fwd.logDetJacobian + y.length * Math.log(sigma))).toBeLessThanOrEqual(4 * EPS * y.length * Math.abs(Math.log(sigma)));
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      const h = 1e-4 * sigma;
      const yp = y.slice();
      const ym = y.slice();
      yp[i]! += h;
      ym[i]! -= h;
      const zp = t.forward(yp).z;
      const zm = t.forward(ym).z;
      // Elementwise: z_k for k != i does not move (the statistics are fixed after fit).
      for (let k = 0; k < y.length; k++) if (k !== i) expect(zp[k]).toBe(zm[k]);
      sum += Math.log(Math.abs((zp[i]! - zm[i]!) / (2 * h)));
    }
    // The rounding of z (|z| <~ 3, eps) over 2h / sigma = 2e-4 leaves ~1e-11 per term.
    expect(Math.abs(sum - fwd.logDetJacobian)).toBeLessThanOrEqual(1e-9 * y.length);
    // The Jacobian of a subset is the same per-point factor.
    expect(Math.abs(t.forward(y.subarray(0, 5)).logDetJacobian + 5 * Math.log(sigma))).toBeLessThanOrEqual(1e-13 * 5 * Math.abs(Math.log(sigma)));
  });

  it('inverse round-trips to a few ulps of y', () => {
    const t = new Standardize().fit(y);
    const back = t.inverse(t.forward(y).z);
    for (let i = 0; i < y.length; i++) expect(Math.abs(back[i]! - y[i]!)).toBeLessThanOrEqual(8 * EPS * Math.abs(y[i]!));
    const z = Float64Array.from([-2, 0, 0.5, 3]);
    const z2 = t.forward(t.inverse(z)).z;
    // y ~ 1e3, sigma ~ 250: the round trip loses about |y| / sigma ulps of z.
    for (let i = 0; i < z.length; i++) expect(Math.abs(z2[i]! - z[i]!)).toBeLessThanOrEqual(32 * EPS * (1e3 / 250 + Math.abs(z[i]!)));
  });

  it('constant outcomes get sigma = 1 (and so does rounding-level spread), small genuine spread is kept', () => {
    const c = new Standardize().fit([4.2, 4.2, 4.2, 4.2]);
    expect(c.statistics.std).toBe(1);
    expect(Math.abs(c.statistics.mean - 4.2)).toBeLessThanOrEqual(2 * EPS * 4.2);
    expect(Math.abs(c.forward([4.2, 4.2]).logDetJacobian)).toBe(0);
    const nearly = new Standardize().fit([1, 1 + EPS, 1, 1 - EPS / 2]);
    expect(nearly.statistics.std).toBe(1);
    const tiny = new Standardize().fit([0, 1e-9, 2e-9]);
    expect(Math.abs(tiny.statistics.std - 1e-9)).toBeLessThanOrEqual(1e-9 * 1e-12);
    const { z } = tiny.forward([0, 1e-9, 2e-9]);
    expect(Math.abs(z[0]! + 1)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(z[2]! - 1)).toBeLessThanOrEqual(1e-6);
  });

  it('n = 1: mean = the value, sigma = 1, z = 0, zero log-Jacobian', () => {
    const t = new Standardize().fit([-3.5]);
    expect(t.statistics).toEqual({ mean: -3.5, std: 1 });
    const fwd = t.forward([-3.5]);
    expect(Array.from(fwd.z)).toEqual([0]);
    expect(Math.abs(fwd.logDetJacobian)).toBe(0);
    expect(Array.from(t.inverse([2]))).toEqual([-1.5]);
  });

  it('untransformGaussian: mean mu + sigma m, variance sigma^2 v (exact affine moments)', () => {
    const t = new Standardize().fit([2, 6, 7, 13]);
    const { mean: mu, std: sigma } = moments([2, 6, 7, 13]);
    const m = [-1, 0, 0.25, 2];
    const v = [0, 0.5, 1, 4];
    const out = t.untransformGaussian(m, v);
    m.forEach((mi, i) => {
      expect(Math.abs(out.mean[i]! - (mu + sigma * mi))).toBeLessThanOrEqual(4 * EPS * (Math.abs(mu) + sigma * Math.abs(mi)));
      expect(Math.abs(out.variance[i]! - sigma * sigma * v[i]!)).toBeLessThanOrEqual(4 * EPS * sigma * sigma * v[i]!);
    });
    // Against moments of the mapped distribution by Monte Carlo (sampling error computed below).
    const r = new Prng(6);
    const S = 20000;
    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < S; k++) {
      const yk = t.inverse([m[3]! + Math.sqrt(v[3]!) * r.normal()])[0]!;
      s1 += yk;
      s2 += yk * yk;
    }
    const mcMean = s1 / S;
    const mcVar = s2 / S - mcMean * mcMean;
    // 5 standard errors: sd / sqrt(S) for the mean, var * sqrt(2 / S) for the variance.
    expect(Math.abs(mcMean - out.mean[3]!)).toBeLessThanOrEqual((5 * Math.sqrt(out.variance[3]!)) / Math.sqrt(S));
    expect(Math.abs(mcVar - out.variance[3]!)).toBeLessThanOrEqual(5 * out.variance[3]! * Math.sqrt(2 / S));
  });

  it('has no trainable parameters and rejects empty data', () => {
    const t = new Standardize();
    expect(t.numParameters).toBe(0);
    expect(t.isAffine).toBe(true);
    expect(t.getParameters().length).toBe(0);
    t.setParameters([]);
    expect(() => t.setParameters([1])).toThrow(InputDataError);
    expect(() => t.fit([])).toThrow(InputDataError);
    const g = t.fit([1, 2, 3]).forward([1, 2, 3], true);
    expect(g.dzdphi).toEqual([]);
    expect(g.dLogDetdphi!.length).toBe(0);
    // Unfitted default is the identity.
    const id = new Standardize();
    expect(Array.from(id.forward([3, -1]).z)).toEqual([3, -1]);
  });
});
