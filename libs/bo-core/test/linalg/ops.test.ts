import { describe, expect, it } from 'vitest';
import {
  addDiagonal,
  dot,
  fromRows,
  matmul,
  matmulTransposeA,
  matmulTransposeB,
  matVec,
  symmetrize,
  toRows,
} from '../../src/linalg/index.js';
import { ShapeError } from '../../src/errors/errors.js';
import { EPS, naiveMul, naiveTranspose, randomMatrix, relError } from './helpers.js';

describe('products', () => {
  it('matmul on a small exact example', () => {
    const A = fromRows([[1, 2, 3], [4, 5, 6]]);
    const B = fromRows([[7, 8], [9, 10], [11, 12]]);
    expect(toRows(matmul(A, B))).toEqual([[58, 64], [139, 154]]);
  });

  it.each([[1, 1, 1], [3, 5, 2], [17, 9, 33], [64, 65, 7]])('matmul, AᵀB, ABᵀ match the naive product (%i x %i x %i)', (n, k, m) => {
    const A = randomMatrix(n, k, n + k);
    const B = randomMatrix(k, m, k + m);
    const ref = naiveMul(A, B);
    const tol = 4 * k * EPS * k; // |ΔC| <= γ_k |A||B|, |A||B| <= k here
    expect(relError(matmul(A, B).data, ref.data)).toBeLessThan(tol);
    expect(relError(matmulTransposeA(naiveTranspose(A), B).data, ref.data)).toBeLessThan(tol);
    expect(relError(matmulTransposeB(A, naiveTranspose(B)).data, ref.data)).toBeLessThan(tol);
  });

  it('matVec and dot', () => {
    const A = fromRows([[1, 2], [3, 4], [5, 6]]);
    expect(Array.from(matVec(A, new Float64Array([1, -1])))).toEqual([-1, -1, -1]);
    expect(dot(new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6]))).toBe(32);
    expect(dot(new Float64Array(0), new Float64Array(0))).toBe(0);
  });

  it('propagates NaN and Infinity like IEEE arithmetic (0 · Inf = NaN)', () => {
    const A = fromRows([[0, 1]]);
    const B = fromRows([[Infinity], [1]]);
    expect(Number.isNaN(matmul(A, B).data[0])).toBe(true);
    expect(Number.isNaN(matmulTransposeA(fromRows([[0], [1]]), B).data[0])).toBe(true);
  });

  it('handles empty shapes', () => {
    expect(matmul(randomMatrix(2, 0, 1), randomMatrix(0, 3, 1)).data).toEqual(new Float64Array(6));
    expect(matmulTransposeB(randomMatrix(0, 2, 1), randomMatrix(3, 2, 1)).rows).toBe(0);
  });
});

describe('diagonal and symmetry helpers', () => {
  it('addDiagonal adds a scalar or a vector and returns a new matrix', () => {
    const A = fromRows([[1, 2], [3, 4]]);
    expect(toRows(addDiagonal(A, 0.5))).toEqual([[1.5, 2], [3, 4.5]]);
    expect(toRows(addDiagonal(A, new Float64Array([10, 20])))).toEqual([[11, 2], [3, 24]]);
    expect(toRows(A)).toEqual([[1, 2], [3, 4]]);
  });

  it('symmetrize averages A and Aᵀ', () => {
    const S = symmetrize(fromRows([[1, 2], [4, 5]]));
    expect(toRows(S)).toEqual([[1, 3], [3, 5]]);
  });
});

describe('ops shape checks', () => {
  const A23 = randomMatrix(2, 3, 1);
  const A33 = randomMatrix(3, 3, 2);
  it('say what was expected and what came', () => {
    expect(() => matmul(A23, A23)).toThrow(ShapeError);
    expect(() => matmul(A23, A23)).toThrow(/expected B with 3 rows \(A is 2 x 3\), got B 2 x 3/);
    expect(() => matmulTransposeA(A23, A33)).toThrow(/expected B with 2 rows/);
    expect(() => matmulTransposeB(A23, randomMatrix(2, 2, 1))).toThrow(/expected B with 3 columns/);
    expect(() => matVec(A23, new Float64Array(2))).toThrow(/expected a vector of length 3 \(A is 2 x 3\), got length 2/);
    expect(() => dot(new Float64Array(2), new Float64Array(3))).toThrow(/got 2 and 3/);
    expect(() => addDiagonal(A23, 1)).toThrow(/expected a square matrix, got 2 x 3/);
    expect(() => addDiagonal(A33, new Float64Array(2))).toThrow(/expected a diagonal of length 3, got length 2/);
    expect(() => symmetrize(A23)).toThrow(ShapeError);
  });
});
