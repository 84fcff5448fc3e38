import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskyInverse,
  choleskySolve,
  choleskySolveMatrix,
  fromRows,
  logDetFromCholesky,
  setWasmKernelEnabled,
  solveLower,
  solveLowerMatrix,
  solveLowerTranspose,
  solveLowerTransposeMatrix,
  zeros,
  type Matrix,
} from '../../src/linalg/index.js';
import { ShapeError } from '../../src/errors/errors.js';
import { BACKENDS, EPS, naiveMul, naiveTranspose, randomMatrix, randomSpd, relError } from './helpers.js';

/** Residual tolerance for a backward-stable triangular solve: |r| <= γ_n |L||x|. */
const solveTol = (n: number): number => 8 * (n + 1) * EPS;

const column = (M: Matrix, j: number): Float64Array => {
  const c = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) c[i] = M.data[i * M.cols + j]!;
  return c;
};

const asColumn = (v: Float64Array): Matrix => ({ rows: v.length, cols: 1, data: v });

/** Determinant by Gaussian elimination with partial pivoting (independent of Cholesky). */
function determinant(A: Matrix): number {
  const n = A.rows;
  const a = A.data.slice();
  let det = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[p * n + k]!)) p = i;
    if (p !== k) {
      for (let j = 0; j < n; j++) [a[k * n + j], a[p * n + j]] = [a[p * n + j]!, a[k * n + j]!];
      det = -det;
    }
    const piv = a[k * n + k]!;
    det *= piv;
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k]! / piv;
      for (let j = k; j < n; j++) a[i * n + j] = a[i * n + j]! - f * a[k * n + j]!;
    }
  }
  return det;
}

describe.each(BACKENDS)('triangular solves and inverse (wasm kernel: $wasm)', ({ wasm }) => {
  beforeAll(() => {
    setWasmKernelEnabled(wasm);
  });
  afterAll(() => {
    setWasmKernelEnabled(true);
  });

  const CASES: [number, number][] = [[1, 1], [2, 3], [3, 1], [5, 7], [17, 4], [64, 9], [65, 33], [130, 5], [257, 3]];

  it.each(CASES)('vector solves multiply back to b, n = %i', (n) => {
    const { L } = cholesky(randomSpd(n, 10 + n));
    const b = randomMatrix(n, 1, 20 + n).data;
    const Lt = naiveTranspose(L);
    expect(relError(naiveMul(L, asColumn(solveLower(L, b))).data, b)).toBeLessThan(solveTol(n));
    expect(relError(naiveMul(Lt, asColumn(solveLowerTranspose(L, b))).data, b)).toBeLessThan(solveTol(n));
  });

  it.each(CASES)('matrix solves multiply back to B and match the vector solves, n = %i, m = %i', (n, m) => {
    const A = randomSpd(n, 30 + n);
    const { L } = cholesky(A);
    const B = randomMatrix(n, m, 40 + n);
    const X = solveLowerMatrix(L, B);
    const Y = solveLowerTransposeMatrix(L, B);
    const Z = choleskySolveMatrix(L, B);
    expect([X.rows, X.cols, Y.rows, Y.cols, Z.rows, Z.cols]).toEqual([n, m, n, m, n, m]);
    expect(relError(naiveMul(L, X).data, B.data)).toBeLessThan(solveTol(n));
    expect(relError(naiveMul(naiveTranspose(L), Y).data, B.data)).toBeLessThan(solveTol(n));
    // A Z = B up to cond(A) (< 10) times the solve error.
    expect(relError(naiveMul(A, Z).data, B.data)).toBeLessThan(10 * solveTol(n));
    for (let j = 0; j < m; j++) {
      const b = column(B, j);
      expect(relError(column(X, j), solveLower(L, b))).toBeLessThan(solveTol(n));
      expect(relError(column(Y, j), solveLowerTranspose(L, b))).toBeLessThan(solveTol(n));
      expect(relError(column(Z, j), choleskySolve(L, b))).toBeLessThan(10 * solveTol(n));
    }
  });

  it.each([1, 2, 3, 5, 17, 64, 65, 130, 257])('choleskyInverse(L) A = I and is symmetric, n = %i', (n) => {
    const A = randomSpd(n, 50 + n);
    const Ainv = choleskyInverse(cholesky(A).L);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Ainv.data[i * n + j]).toBe(Ainv.data[j * n + i]);
    const P = naiveMul(Ainv, A);
    const I = zeros(n, n);
    for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
    // |A⁻¹A - I| ~ cond(A) n eps, cond(A) < 10.
    expect(relError(P.data, I.data)).toBeLessThan(10 * solveTol(n));
  });

  it('choleskyInverse agrees with choleskySolveMatrix(L, I)', () => {
    const n = 101;
    const { L } = cholesky(randomSpd(n, 77));
    const I = zeros(n, n);
    for (let i = 0; i < n; i++) I.data[i * n + i] = 1;
    expect(relError(choleskyInverse(L).data, choleskySolveMatrix(L, I).data)).toBeLessThan(10 * solveTol(n));
  });

  it('does not modify its arguments', () => {
    const { L } = cholesky(randomSpd(70, 3));
    const B = randomMatrix(70, 6, 4);
    const l0 = L.data.slice(), b0 = B.data.slice();
    solveLowerMatrix(L, B);
    solveLowerTransposeMatrix(L, B);
    choleskySolveMatrix(L, B);
    choleskyInverse(L);
    solveLower(L, column(B, 0));
    solveLowerTranspose(L, column(B, 0));
    expect(L.data).toEqual(l0);
    expect(B.data).toEqual(b0);
  });

  it('solves with a zero-column right-hand side', () => {
    const { L } = cholesky(randomSpd(9, 3));
    expect(solveLowerMatrix(L, zeros(9, 0)).cols).toBe(0);
    expect(choleskySolveMatrix(L, zeros(9, 0)).rows).toBe(9);
  });
});

describe('logDetFromCholesky', () => {
  it.each([1, 2, 5, 12])('equals log det A from Gaussian elimination, n = %i', (n) => {
    const A = randomSpd(n, 90 + n);
    const logDet = logDetFromCholesky(cholesky(A).L);
    expect(Math.abs(logDet - Math.log(determinant(A)))).toBeLessThan(100 * n * EPS * Math.max(1, Math.abs(logDet)));
  });

  it('equals the log of the product of squared pivots', () => {
    const { L } = cholesky(randomSpd(30, 5));
    let prod = 1;
    for (let i = 0; i < 30; i++) prod *= L.data[i * 30 + i]! ** 2;
    expect(logDetFromCholesky(L)).toBeCloseTo(Math.log(prod), 12);
  });

  it('does not overflow for large n', () => {
    const n = 400;
    const L = zeros(n, n);
    for (let i = 0; i < n; i++) L.data[i * n + i] = 1e3; // det = 1e2400
    expect(logDetFromCholesky(L)).toBeCloseTo(2 * n * Math.log(1e3), 9);
  });

  it('is exact on a diagonal example', () => {
    expect(logDetFromCholesky(fromRows([[2, 0], [5, 3]]))).toBeCloseTo(2 * Math.log(6), 15);
  });
});

describe('triangular shape checks', () => {
  const L = cholesky(randomSpd(4, 1)).L;
  it('rejects a non-square factor', () => {
    const bad = randomMatrix(4, 3, 1);
    for (const f of [
      () => solveLower(bad, new Float64Array(4)),
      () => solveLowerTranspose(bad, new Float64Array(4)),
      () => choleskySolve(bad, new Float64Array(4)),
      () => solveLowerMatrix(bad, zeros(4, 2)),
      () => choleskySolveMatrix(bad, zeros(4, 2)),
      () => choleskyInverse(bad),
      () => logDetFromCholesky(bad),
    ]) {
      expect(f).toThrow(ShapeError);
    }
    expect(() => choleskyInverse(bad)).toThrow(/expected a square factor L, got 4 x 3/);
  });

  it('rejects right-hand sides of the wrong length', () => {
    expect(() => solveLower(L, new Float64Array(3))).toThrow(/expected a right-hand side of length 4, got 3/);
    expect(() => solveLowerTranspose(L, new Float64Array(5))).toThrow(ShapeError);
    expect(() => choleskySolve(L, new Float64Array(5))).toThrow(ShapeError);
    expect(() => solveLowerMatrix(L, zeros(3, 2))).toThrow(/expected a right-hand side with 4 rows, got 3 x 2/);
    expect(() => solveLowerTransposeMatrix(L, zeros(5, 2))).toThrow(ShapeError);
    expect(() => choleskySolveMatrix(L, zeros(5, 2))).toThrow(ShapeError);
  });
});
