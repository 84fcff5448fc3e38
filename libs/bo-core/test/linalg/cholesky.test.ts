import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskyInPlace,
  choleskyReference,
  fromRows,
  linalgBackend,
  setWasmKernelEnabled,
  type Matrix,
} from '../../src/linalg/index.js';
import { InputDataError, NotPositiveDefiniteError, ShapeError } from '../../src/errors/errors.js';
import { blockedScratchSize, factorBlocked } from '../../src/linalg/blocked-cholesky.js';
import { roundUp4, tileKernelTs } from '../../src/linalg/tile-kernel.js';
import { BACKENDS, EPS, naiveMul, naiveTranspose, randomMatrix, randomSpd, rbfKernel, relError } from './helpers.js';

const SIZES = [1, 2, 3, 5, 17, 48, 49, 64, 65, 97, 130, 257];

/** Higham: A + ΔA = L Lᵀ with |ΔA| <= γ_{n+1} |L||Lᵀ|; for these matrices |L||Lᵀ| ~ |A|. */
const reconstructionTol = (n: number): number => 4 * (n + 1) * EPS;

function reconstruct(L: Matrix): Matrix {
  return naiveMul(L, naiveTranspose(L));
}

function expectStrictUpperZero(L: Matrix): void {
  for (let i = 0; i < L.rows; i++) for (let j = i + 1; j < L.cols; j++) expect(L.data[i * L.cols + j]).toBe(0);
}

describe.each(BACKENDS)('cholesky (wasm kernel: $wasm)', ({ wasm }) => {
  beforeAll(() => {
    setWasmKernelEnabled(wasm);
  });
  afterAll(() => {
    setWasmKernelEnabled(true);
  });

  it('uses the requested kernel', () => {
    expect(linalgBackend()).toBe(wasm ? 'wasm-simd' : 'typescript');
  });

  it.each(SIZES)('reconstructs L Lᵀ = A for a random SPD matrix, n = %i', (n) => {
    const A = randomSpd(n, 1000 + n);
    const before = A.data.slice();
    const { L, jitter } = cholesky(A);
    expect(jitter).toBe(0);
    expect(A.data).toEqual(before); // not modified
    expectStrictUpperZero(L);
    for (let i = 0; i < n; i++) expect(L.data[i * n + i]).toBeGreaterThan(0);
    expect(relError(reconstruct(L).data, A.data)).toBeLessThan(reconstructionTol(n));
  });

  it.each(SIZES)('agrees with choleskyReference, n = %i', (n) => {
    const A = randomSpd(n, 2000 + n);
    const L = cholesky(A).L;
    const R = choleskyReference(A);
    // Forward error of L is about cond(A) · n · eps; cond(A) < 10 here.
    expect(relError(L.data, R.data)).toBeLessThan(40 * (n + 1) * EPS);
  });

  it('reconstructs an ill-conditioned RBF kernel matrix (n = 200, nugget 1e-6)', () => {
    const X = randomMatrix(200, 3, 7);
    const K = rbfKernel(X, 0.4, 1e-6);
    const { L, jitter } = cholesky(K);
    expect(jitter).toBe(0);
    expect(relError(reconstruct(L).data, K.data)).toBeLessThan(reconstructionTol(200));
    expect(relError(L.data, choleskyReference(K).data)).toBeLessThan(1e-9); // cond(K) ~ 1e6
  });

  it('factors in place, zeroing the strict upper triangle', () => {
    for (const n of [3, 70, 131]) {
      const A = randomSpd(n, 3000 + n);
      const M = { rows: n, cols: n, data: A.data.slice() };
      expect(choleskyInPlace(M)).toBe(true);
      expectStrictUpperZero(M);
      expect(relError(M.data, choleskyReference(A).data)).toBeLessThan(40 * (n + 1) * EPS);
    }
  });

  it('choleskyInPlace returns false (no throw) on indefinite or non-finite input', () => {
    expect(choleskyInPlace(fromRows([[1, 0], [0, -1]]))).toBe(false);
    expect(choleskyInPlace(fromRows([[0]]))).toBe(false);
    expect(choleskyInPlace(fromRows([[1, NaN], [NaN, 1]]))).toBe(false);
    expect(choleskyInPlace(fromRows([[Infinity]]))).toBe(false);
    for (const n of [9, 100]) {
      const A = randomSpd(n, 4000 + n);
      A.data[(n - 1) * n + 2] = NaN; // lower triangle, last row
      expect(choleskyInPlace(A)).toBe(false);
      const B = randomSpd(n, 4100 + n);
      B.data[(n - 1) * n + n - 1] = -1;
      expect(choleskyInPlace(B)).toBe(false);
    }
  });

  it('handles n = 1', () => {
    const { L, jitter } = cholesky(fromRows([[4]]));
    expect(Array.from(L.data)).toEqual([2]);
    expect(jitter).toBe(0);
    expect(Array.from(choleskyReference(fromRows([[9]])).data)).toEqual([3]);
  });

  it.each([5, 100])('adds jitter to a singular PSD kernel matrix with a duplicated point, n = %i', (n) => {
    const X = randomMatrix(n, 3, 11);
    for (let k = 0; k < 3; k++) X.data[3 + k] = X.data[k]!; // point 1 = point 0: rows 0, 1 of K equal
    const K = rbfKernel(X, 0.3, 0);
    expect(choleskyInPlace({ rows: n, cols: n, data: K.data.slice() })).toBe(false);
    const { L, jitter } = cholesky(K);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeCloseTo(1e-8, 20); // initialJitter x mean diagonal (= 1)
    const K2 = { rows: n, cols: n, data: K.data.slice() };
    for (let i = 0; i < n; i++) K2.data[i * n + i] = K2.data[i * n + i]! + jitter;
    expect(relError(reconstruct(L).data, K2.data)).toBeLessThan(reconstructionTol(n));
  });

  it.each([4, 90])('escalates the jitter by 10x until it succeeds, n = %i', (n) => {
    // All-ones (rank 1) minus 5e-7 I: eigenvalues n - 5e-7 and -5e-7; jitter 1e-8, 1e-7 fail, 1e-6 works.
    const A = { rows: n, cols: n, data: new Float64Array(n * n).fill(1) };
    for (let i = 0; i < n; i++) A.data[i * n + i] = 1 - 5e-7;
    const { jitter } = cholesky(A);
    const meanDiag = 1 - 5e-7;
    expect(jitter / (1e-6 * meanDiag)).toBeCloseTo(1, 12);
    expect(() => cholesky(A, { maxTries: 2 })).toThrow(NotPositiveDefiniteError);
    expect(cholesky(A, { initialJitter: 1e-5 }).jitter / (1e-5 * meanDiag)).toBeCloseTo(1, 12);
  });

  it('throws NotPositiveDefiniteError on an indefinite matrix, with size, jitter and advice', () => {
    const A = fromRows([[1, 0], [0, -1]]);
    let error: unknown;
    try {
      cholesky(A);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotPositiveDefiniteError);
    const e = error as NotPositiveDefiniteError;
    expect(e.jitterTried).toBeCloseTo(1e-3, 15); // 1e-8 x 10^5 x mean |diag| (= 1)
    expect(e.message).toContain('2 x 2');
    expect(e.message).toContain('1.00e-3');
    expect(e.message).toMatch(/duplicate/);
    expect(e.message).toMatch(/noise/);
    expect(() => cholesky(A, { maxTries: 0 })).toThrow(/no jitter was allowed/);
  });

  it('throws NotPositiveDefiniteError from the blocked path too', () => {
    const A = randomSpd(150, 5);
    A.data[149 * 150 + 149] = -10;
    expect(() => cholesky(A)).toThrow(NotPositiveDefiniteError);
    expect(() => choleskyReference(A)).toThrow(NotPositiveDefiniteError);
  });
});

describe('cholesky input checks', () => {
  it('rejects non-finite entries with InputDataError before factoring', () => {
    const A = randomSpd(4, 1);
    A.data[1 * 4 + 2] = NaN;
    expect(() => cholesky(A)).toThrow(InputDataError);
    expect(() => cholesky(A)).toThrow(/A\[1\]\[2\] = NaN/);
    const B = randomSpd(70, 2);
    B.data[5] = -Infinity;
    expect(() => cholesky(B)).toThrow(InputDataError);
  });

  it('rejects bad options', () => {
    const A = randomSpd(3, 1);
    expect(() => cholesky(A, { maxTries: -1 })).toThrow(InputDataError);
    expect(() => cholesky(A, { maxTries: 1.5 })).toThrow(InputDataError);
    expect(() => cholesky(A, { initialJitter: 0 })).toThrow(InputDataError);
    expect(() => cholesky(A, { initialJitter: NaN })).toThrow(InputDataError);
  });

  it('throws ShapeError on a non-square matrix', () => {
    const A = randomMatrix(2, 3, 1);
    expect(() => cholesky(A)).toThrow(ShapeError);
    expect(() => cholesky(A)).toThrow(/expected a square matrix, got 2 x 3/);
    expect(() => choleskyInPlace(A)).toThrow(ShapeError);
    expect(() => choleskyReference(A)).toThrow(ShapeError);
  });

  it('handles n = 0', () => {
    expect(cholesky({ rows: 0, cols: 0, data: new Float64Array(0) }).L.rows).toBe(0);
  });
});

describe('factorBlocked with small blocks (every edge case at small n)', () => {
  it.each([4, 8, 12])('matches choleskyReference for n = 1..24, block width %i', (nb) => {
    for (let n = 1; n <= 24; n++) {
      const A = randomSpd(n, 6000 + n);
      const np = roundUp4(n);
      const buf = new Float64Array(np * np + blockedScratchSize(np, nb)).fill(NaN); // garbage outside A
      for (let i = 0; i < n; i++) buf.set(A.data.subarray(i * n, i * n + i + 1), i * np);
      for (let i = n; i < np; i++) {
        buf.fill(0, i * np, i * np + i);
        buf[i * np + i] = 1;
      }
      expect(factorBlocked(buf, np, np, np * np, tileKernelTs, nb)).toBe(true);
      const L = new Float64Array(n * n);
      for (let i = 0; i < n; i++) L.set(buf.subarray(i * np, i * np + i + 1), i * n);
      expect(relError(L, choleskyReference(A).data)).toBeLessThan(40 * (n + 1) * EPS);
    }
  });
});
