/** Test helpers: seeded random matrices and naive, independent reference products. */
import { zeros, type Matrix } from '../../src/linalg/index.js';

export const EPS = 2 ** -52;

/** Seeded uniform [0, 1) generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n x m with entries uniform in [-1, 1). */
export function randomMatrix(n: number, m: number, seed: number): Matrix {
  const r = rng(seed);
  const M = zeros(n, m);
  for (let i = 0; i < n * m; i++) M.data[i] = 2 * r() - 1;
  return M;
}

/** Well-conditioned SPD: B Bᵀ / n + I with B uniform in [-1, 1) (condition number below ~10). */
export function randomSpd(n: number, seed: number): Matrix {
  const B = randomMatrix(n, n, seed);
  const A = naiveMul(B, naiveTranspose(B));
  for (let i = 0; i < n * n; i++) A.data[i] = A.data[i]! / n;
  for (let i = 0; i < n; i++) A.data[i * n + i] = A.data[i * n + i]! + 1;
  return A;
}

/** RBF kernel matrix exp(-|x_i - x_j|² / (2 ℓ²)) of the given points (rows of X), plus `nugget` I. */
export function rbfKernel(X: Matrix, lengthscale: number, nugget: number): Matrix {
  const n = X.rows, d = X.cols;
  const K = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = X.data[i * d + k]! - X.data[j * d + k]!;
        r2 += t * t;
      }
      const v = Math.exp(-r2 / (2 * lengthscale * lengthscale)) + (i === j ? nugget : 0);
      K.data[i * n + j] = v;
      K.data[j * n + i] = v;
    }
  }
  return K;
}

/** Textbook triple loop, i-j-k: independent of the code under test. */
export function naiveMul(A: Matrix, B: Matrix): Matrix {
  const C = zeros(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < B.cols; j++) {
      let s = 0;
      for (let k = 0; k < A.cols; k++) s += A.data[i * A.cols + k]! * B.data[k * B.cols + j]!;
      C.data[i * B.cols + j] = s;
    }
  }
  return C;
}

export function naiveTranspose(A: Matrix): Matrix {
  const T = zeros(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.data[j * A.rows + i] = A.data[i * A.cols + j]!;
  return T;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |a - b| / max(max |b|, tiny); NaN anywhere gives NaN (so comparisons fail). */
export function relError(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return NaN;
    m = Math.max(m, d);
  }
  return m / Math.max(maxAbs(b), Number.MIN_VALUE);
}

/** Both kernels, for describe.each: the wasm SIMD one (where available) and the TypeScript one. */
export const BACKENDS = [{ wasm: true }, { wasm: false }] as const;
