/**
 * Basic dense operations on row-major float64 matrices. Every function returns a new result and
 * leaves its arguments alone; mismatched shapes throw ShapeError ("expected …, got …").
 * Loop orders keep the innermost loop contiguous in memory (i-k-j for A B, k-i-j for Aᵀ B, row
 * dot products for A Bᵀ), which is what V8 handles best for these O(n³) but non-critical paths.
 */
import { ShapeError } from '../errors/errors.js';
import { zeros, type Matrix } from './matrix.js';

const shape = (M: Matrix): string => `${M.rows} x ${M.cols}`;

/** C = A B: (n x k)(k x m) -> n x m. */
export function matmul(A: Matrix, B: Matrix): Matrix {
  if (A.cols !== B.rows) {
    throw new ShapeError(`matmul: expected B with ${A.cols} rows (A is ${shape(A)}), got B ${shape(B)}`);
  }
  const n = A.rows, kk = A.cols, m = B.cols;
  const C = zeros(n, m);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < n; i++) {
    const ci = i * m;
    for (let k = 0; k < kk; k++) {
      const aik = a[i * kk + k]!;
      const bk = k * m;
      for (let j = 0; j < m; j++) c[ci + j] = c[ci + j]! + aik * b[bk + j]!;
    }
  }
  return C;
}

/** C = Aᵀ B: A (k x n), B (k x m) -> n x m. */
export function matmulTransposeA(A: Matrix, B: Matrix): Matrix {
  if (A.rows !== B.rows) {
    throw new ShapeError(`matmulTransposeA: expected B with ${A.rows} rows (A is ${shape(A)}), got B ${shape(B)}`);
  }
  const kk = A.rows, n = A.cols, m = B.cols;
  const C = zeros(n, m);
  const a = A.data, b = B.data, c = C.data;
  for (let k = 0; k < kk; k++) {
    const ak = k * n, bk = k * m;
    for (let i = 0; i < n; i++) {
      const aki = a[ak + i]!;
      const ci = i * m;
      for (let j = 0; j < m; j++) c[ci + j] = c[ci + j]! + aki * b[bk + j]!;
    }
  }
  return C;
}

/** C = A Bᵀ: A (n x k), B (m x k) -> n x m; C_ij = row_i(A) · row_j(B), four j at a time. */
export function matmulTransposeB(A: Matrix, B: Matrix): Matrix {
  if (A.cols !== B.cols) {
    throw new ShapeError(`matmulTransposeB: expected B with ${A.cols} columns (A is ${shape(A)}), got B ${shape(B)}`);
  }
  const n = A.rows, kk = A.cols, m = B.rows;
  const C = zeros(n, m);
  const a = A.data, b = B.data, c = C.data;
  for (let i = 0; i < n; i++) {
    const ai = i * kk;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const b0 = j * kk, b1 = b0 + kk, b2 = b1 + kk, b3 = b2 + kk;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < kk; k++) {
        const v = a[ai + k]!;
        s0 += v * b[b0 + k]!;
        s1 += v * b[b1 + k]!;
        s2 += v * b[b2 + k]!;
        s3 += v * b[b3 + k]!;
      }
      c[i * m + j] = s0;
      c[i * m + j + 1] = s1;
      c[i * m + j + 2] = s2;
      c[i * m + j + 3] = s3;
    }
    for (; j < m; j++) {
      const bj = j * kk;
      let s = 0;
      for (let k = 0; k < kk; k++) s += a[ai + k]! * b[bj + k]!;
      c[i * m + j] = s;
    }
  }
  return C;
}

/** y = A x: (n x m)(m) -> n. */
export function matVec(A: Matrix, x: Float64Array): Float64Array {
  if (x.length !== A.cols) {
    throw new ShapeError(`matVec: expected a vector of length ${A.cols} (A is ${shape(A)}), got length ${x.length}`);
  }
  const n = A.rows, m = A.cols, a = A.data;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ai = i * m;
    let s = 0;
    for (let j = 0; j < m; j++) s += a[ai + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

/** Σ_i a_i b_i. */
export function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new ShapeError(`dot: expected vectors of equal length, got ${a.length} and ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** A + diag(v) for square A (n x n); v is a scalar added to every diagonal entry, or a length-n vector. */
export function addDiagonal(A: Matrix, v: number | Float64Array): Matrix {
  if (A.rows !== A.cols) throw new ShapeError(`addDiagonal: expected a square matrix, got ${shape(A)}`);
  const n = A.rows;
  if (typeof v !== 'number' && v.length !== n) {
    throw new ShapeError(`addDiagonal: expected a diagonal of length ${n}, got length ${v.length}`);
  }
  const out: Matrix = { rows: n, cols: n, data: A.data.slice() };
  for (let i = 0; i < n; i++) out.data[i * n + i] = out.data[i * n + i]! + (typeof v === 'number' ? v : v[i]!);
  return out;
}

/** (A + Aᵀ) / 2 for square A: exactly symmetric, e.g. after round-off in a product. */
export function symmetrize(A: Matrix): Matrix {
  if (A.rows !== A.cols) throw new ShapeError(`symmetrize: expected a square matrix, got ${shape(A)}`);
  const n = A.rows, a = A.data;
  const out = zeros(n, n);
  const o = out.data;
  for (let i = 0; i < n; i++) {
    o[i * n + i] = a[i * n + i]!;
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (a[i * n + j]! + a[j * n + i]!);
      o[i * n + j] = v;
      o[j * n + i] = v;
    }
  }
  return out;
}
