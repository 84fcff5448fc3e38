import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../src/sampling/index.js';

/** Φ(x) = ½ erfc(−x/√2), accurate in both tails. */
const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

const relErr = (got: number, want: number): number =>
  want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);

/**
 * Φ⁻¹(p) for the double p, from mpmath (√2 · erfinv(2p − 1) at 40 + |log10 min(p, 1−p)| digits),
 * rounded to double.
 */
const REFERENCE: [number, number][] = [
  [1e-300, -37.0470962993612],
  [7.3e-250, -33.740772869308444],
  [1e-200, -30.20559417957964],
  [2.5e-150, -26.08791285664125],
  [1e-100, -21.273453560965326],
  [1e-50, -14.933337534788489],
  [1e-20, -9.262340089798407],
  [7.3e-16, -7.980281445253113],
  [1e-10, -6.361340902404057],
  [2.5e-8, -5.451310437845478],
  [1e-5, -4.264890793922825],
  [0.001, -3.0902323061678136],
  [0.01, -2.326347874040841],
  [0.025, -1.9599639845400543],
  [0.0749999, -1.4395321773759007],
  [0.075, -1.439531470938456],
  [0.1, -1.2815515655446004],
  [0.25, -0.6744897501960817],
  [0.425, -0.18911842627279252],
  [0.5, 0],
  [0.925, 1.4395314709384561],
  [0.975, 1.9599639845400538],
  [0.999, 3.090232306167813],
  [1 - 1e-10, 6.361340889697422],
  [1 - 1e-16, 8.209536151601387],
  [2 ** -33, -6.3379577545537895],
  [1 - 2 ** -33, 6.3379577545537895],
];

describe('normalQuantile', () => {
  it('matches 40-digit references to 1e-15 relative from p = 1e-300 to 1 − 1e-16', () => {
    for (const [p, want] of REFERENCE) {
      expect(relErr(normalQuantile(p), want), `p = ${p}`).toBeLessThan(1e-15);
    }
  });

  it('gives the textbook values', () => {
    expect(relErr(normalQuantile(0.975), 1.959963984540054)).toBeLessThan(1e-15);
    expect(relErr(normalQuantile(1e-10), -6.361340902404056)).toBeLessThan(1e-15);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('is antisymmetric: Φ⁻¹(1 − p) = −Φ⁻¹(p) where 1 − p is exact', () => {
    for (let k = 2; k <= 53; k++) {
      const p = 2 ** -k;
      expect(relErr(normalQuantile(1 - p), -normalQuantile(p)), `p = 2^-${k}`).toBeLessThan(1e-15);
    }
    for (const p of [0.1, 0.2, 0.3, 0.4, 0.45, 0.49]) {
      // 1 − p is exact here, so the two calls see mirror-image arguments.
      const q = 1 - p;
      expect(relErr(normalQuantile(q), -normalQuantile(1 - q)), `p = ${p}`).toBeLessThan(1e-15);
    }
  });

  it('is strictly increasing across the region boundaries', () => {
    const ps = [1e-300, 1e-200, 1.4e-11, 1.39e-11, 1e-8, 0.0749, 0.075, 0.0751, 0.3, 0.5, 0.7, 0.9249, 0.925, 0.9251, 0.999999];
    const sorted = [...ps].sort((a, b) => a - b);
    const xs = sorted.map(normalQuantile);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThan(xs[i - 1]!);
  });

  it('round-trips through an accurate Φ, to the precision the slope allows', () => {
    // A relative error δ in x moves Φ(x) by about |x|·φ(x)/Φ(x)·|x|δ ≈ x²δ relative in the tail.
    const ps: number[] = [];
    for (let e = 1; e <= 300; e += 7) ps.push(10 ** -e, 3.7 * 10 ** -e);
    for (let i = 1; i < 200; i++) ps.push(i / 200);
    for (let e = 2; e <= 16; e++) ps.push(1 - 10 ** -e);
    for (const p of ps) {
      const x = normalQuantile(p);
      // Compare the smaller tail, where relative error is meaningful.
      const got = p < 0.5 ? normalCdf(x) : normalCdf(-x);
      const want = p < 0.5 ? p : 1 - p;
      expect(relErr(got, want), `p = ${p}`).toBeLessThan(3e-15 * Math.max(1, x * x));
    }
  });

  it('returns ∓∞ at 0 and 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
    expect(Number.isFinite(normalQuantile(Number.MIN_VALUE))).toBe(true);
  });
});
