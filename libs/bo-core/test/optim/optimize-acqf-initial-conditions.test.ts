import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import { selectInitialConditions } from '../../src/optim/initial-conditions.js';
import { Prng } from '../../src/sampling/prng.js';

function randomValues(n: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

describe('selectInitialConditions', () => {
  it('returns distinct in-range indices that always include the argmax', () => {
    for (let seed = 0; seed < 50; seed++) {
      const values = randomValues(200, seed);
      const argmax = values.indexOf(Math.max(...values));
      const idx = selectInitialConditions(values, 10, new Prng(seed), 1);
      expect(idx).toHaveLength(10);
      expect(new Set(idx).size).toBe(10);
      for (const i of idx) expect(Number.isInteger(i) && i >= 0 && i < 200).toBe(true);
      expect(idx).toContain(argmax);
    }
  });

  it('is deterministic for a given generator state and varies with it', () => {
    const values = randomValues(100, 1);
    expect(selectInitialConditions(values, 5, new Prng(3))).toEqual(selectInitialConditions(values, 5, new Prng(3)));
    expect(selectInitialConditions(values, 5, new Prng(3))).not.toEqual(selectInitialConditions(values, 5, new Prng(4)));
  });

  it('draws uniformly for eta = 0 and favours large values as eta grows', () => {
    const n = 20;
    const values = Float64Array.from({ length: n }, (_, i) => i); // argmax n − 1
    const counts = (eta: number): number[] => {
      const c = new Array<number>(n).fill(0);
      const rng = new Prng(11);
      for (let t = 0; t < 4000; t++) for (const i of selectInitialConditions(values, 3, rng, eta)) c[i]!++;
      return c;
    };
    const uniform = counts(0);
    expect(uniform[n - 1]).toBe(4000);
    // The other two picks are uniform over the 19 remaining indices: 8000 / 19 ≈ 421 each.
    for (let i = 0; i < n - 1; i++) expect(Math.abs(uniform[i]! - 8000 / 19)).toBeLessThan(100);
    const warm = counts(2);
    const meanIndex = (c: number[]) => c.reduce((s, v, i) => s + v * i, 0) / c.reduce((s, v) => s + v, 0);
    expect(meanIndex(warm)).toBeGreaterThan(meanIndex(uniform) + 2);
    // Weighted draws: with z = (i − 9.5) / std, index 17 is e^{2·(17−5)/std} times as likely as index 5.
    expect(warm[17]!).toBeGreaterThan(5 * warm[5]!);
  });

  it('never chooses non-finite values and returns every finite index when there are too few', () => {
    const values = Float64Array.of(NaN, 3, -Infinity, 1, Infinity, 2, 0.5);
    for (let seed = 0; seed < 20; seed++) {
      const idx = selectInitialConditions(values, 3, new Prng(seed));
      for (const i of idx) expect(Number.isFinite(values[i]!)).toBe(true);
      expect(idx).toContain(1);
    }
    expect(selectInitialConditions(Float64Array.of(NaN, 3, NaN, 1, 2), 4, new Prng(0))).toEqual([1, 4, 3]);
    expect(selectInitialConditions(Float64Array.of(NaN, NaN), 1, new Prng(0))).toEqual([]);
  });

  it('handles constant and extreme values without overflow', () => {
    const constant = new Float64Array(30).fill(2);
    const idx = selectInitialConditions(constant, 5, new Prng(0));
    expect(new Set(idx).size).toBe(5);
    expect(idx).toContain(0);
    const extreme = Float64Array.of(-1e300, 1e300, 0, 5, -5);
    const greedy = selectInitialConditions(extreme, 2, new Prng(0), 1e6);
    expect(greedy).toContain(1);
    expect(new Set(greedy).size).toBe(2);
  });

  it('rejects a bad count or eta', () => {
    const values = randomValues(5, 0);
    expect(() => selectInitialConditions(values, 0, new Prng(0))).toThrow(InputDataError);
    expect(() => selectInitialConditions(values, 6, new Prng(0))).toThrow(InputDataError);
    expect(() => selectInitialConditions(values, 2.5, new Prng(0))).toThrow(InputDataError);
    expect(() => selectInitialConditions(values, 2, new Prng(0), -1)).toThrow(InputDataError);
    expect(() => selectInitialConditions(values, 2, new Prng(0), NaN)).toThrow(InputDataError);
  });
});
