import { describe, expect, it } from 'vitest';
import { InputDataError } from '../../src/errors/errors.js';
import {
  SobolEngine,
  normalQuantile,
  plainMcNormalSamples,
  sobolQmcNormalSamples,
} from '../../src/sampling/index.js';

/** Mean and (population) variance of column j of an `n x dim` row-major matrix. */
const moments = (x: Float64Array, dim: number, j: number): { mean: number; variance: number } => {
  const n = x.length / dim;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i * dim + j]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i * dim + j]! - mean) ** 2;
  return { mean, variance: ss / n };
};

describe('sobolQmcNormalSamples', () => {
  it('returns numSamples x dim finite values, row-major', () => {
    const z = sobolQmcNormalSamples(64, 6, 1);
    expect(z).toHaveLength(64 * 6);
    expect(z.every(Number.isFinite)).toBe(true);
    expect(sobolQmcNormalSamples(0, 3, 1)).toHaveLength(0);
  });

  it('is Φ⁻¹ of the scrambled Sobol points with the same seed', () => {
    const u = new SobolEngine(5, { scramble: true, seed: 9 }).draw(32);
    const z = sobolQmcNormalSamples(32, 5, 9);
    for (let i = 0; i < u.length; i++) expect(z[i]).toBe(normalQuantile(Math.max(u[i]!, 2 ** -33)));
  });

  it('has mean ≈ 0 and variance ≈ 1 to QMC accuracy (4096 samples)', () => {
    const dim = 12;
    const z = sobolQmcNormalSamples(4096, dim, 2024);
    for (let j = 0; j < dim; j++) {
      const { mean, variance } = moments(z, dim, j);
      expect(Math.abs(mean), `mean of coordinate ${j}`).toBeLessThan(1e-3);
      expect(Math.abs(variance - 1), `variance of coordinate ${j}`).toBeLessThan(5e-3);
    }
  });

  it('has nearly uncorrelated coordinates', () => {
    const dim = 6;
    const z = sobolQmcNormalSamples(4096, dim, 5);
    for (let a = 0; a < dim; a++) {
      for (let b = a + 1; b < dim; b++) {
        let c = 0;
        for (let i = 0; i < 4096; i++) c += z[i * dim + a]! * z[i * dim + b]!;
        expect(Math.abs(c / 4096), `corr(${a}, ${b})`).toBeLessThan(0.02);
      }
    }
  });

  it('is reproducible by seed and changes with it', () => {
    expect(sobolQmcNormalSamples(128, 4, 3)).toEqual(sobolQmcNormalSamples(128, 4, 3));
    expect(sobolQmcNormalSamples(128, 4, 3)).not.toEqual(sobolQmcNormalSamples(128, 4, 4));
  });

  it('rejects bad arguments with InputDataError', () => {
    expect(() => sobolQmcNormalSamples(-1, 2, 0)).toThrow(InputDataError);
    expect(() => sobolQmcNormalSamples(1.5, 2, 0)).toThrow(InputDataError);
    expect(() => sobolQmcNormalSamples(8, 0, 0)).toThrow(InputDataError);
    expect(() => sobolQmcNormalSamples(8, 1112, 0)).toThrow(/expected dim ≤ 1111.*got 1112/);
    expect(() => sobolQmcNormalSamples(8, 2, 0.5)).toThrow(InputDataError);
  });
});

describe('plainMcNormalSamples', () => {
  it('draws Prng normals in row-major order, reproducibly by seed', () => {
    const z = plainMcNormalSamples(100, 3, 17);
    expect(z).toHaveLength(300);
    expect(z).toEqual(plainMcNormalSamples(100, 3, 17));
    expect(z).not.toEqual(plainMcNormalSamples(100, 3, 18));
  });

  it('has mean ≈ 0 and variance ≈ 1 to Monte-Carlo accuracy', () => {
    const dim = 4;
    const n = 20000;
    const z = plainMcNormalSamples(n, dim, 1);
    for (let j = 0; j < dim; j++) {
      const { mean, variance } = moments(z, dim, j);
      // 5 standard errors: sd(mean) = 1/√n, sd(variance) ≈ √(2/n).
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    }
  });

  it('accepts any dimension and rejects bad arguments', () => {
    expect(plainMcNormalSamples(2, 5000, 0)).toHaveLength(10000);
    expect(() => plainMcNormalSamples(-1, 2, 0)).toThrow(InputDataError);
    expect(() => plainMcNormalSamples(2, 0, 0)).toThrow(InputDataError);
  });
});

describe('normalBaseSamples', () => {
  it('uses Sobol QMC up to the direction numbers and plain Monte Carlo beyond', async () => {
    const { normalBaseSamples, sobolQmcNormalSamples, plainMcNormalSamples, SOBOL_MAX_DIMENSION } = await import('../../src/sampling/index.js');
    expect(Array.from(normalBaseSamples(4, 3, 5))).toEqual(Array.from(sobolQmcNormalSamples(4, 3, 5)));
    const big = normalBaseSamples(2, SOBOL_MAX_DIMENSION + 1, 5);
    expect(Array.from(big)).toEqual(Array.from(plainMcNormalSamples(2, SOBOL_MAX_DIMENSION + 1, 5)));
  });
});
