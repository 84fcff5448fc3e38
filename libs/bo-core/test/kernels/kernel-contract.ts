import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../src/kernels/index.js';
import { fromRows, type Matrix } from '../../src/linalg/matrix.js';

/** Deterministic uniform(0, 1) stream (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n x d` uniform points in [0, 1)^d. */
export function randomMatrix(n: number, d: number, next: () => number, lo = 0, hi = 1): Matrix {
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * next();
  return { rows: n, cols: d, data };
}

/** Element (i, j). */
export function el(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j]!;
}

/**
 * In-place-free lower Cholesky factor of a symmetric matrix, or `null` when a pivot is not
 * positive (local to the tests: linalg is written elsewhere).
 */
export function cholesky(A: Matrix): Float64Array | null {
  const n = A.rows;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = A.data[j * n + j]!;
    for (let k = 0; k < j; k++) s -= L[j * n + k]! ** 2;
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = A.data[i * n + j]!;
      for (let k = 0; k < j; k++) t -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = t / ljj;
    }
  }
  return L;
}

/** `sum_ij W_ij K_ij`. */
export function contract(W: Matrix, K: Matrix): number {
  let s = 0;
  for (let i = 0; i < W.data.length; i++) s += W.data[i]! * K.data[i]!;
  return s;
}

/** `|a - b| <= rtol * max(|b|, floor)` elementwise, with a readable failure. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, floor: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const a = actual[k]!;
    const b = expected[k]!;
    const tol = rtol * Math.max(Math.abs(b), floor);
    if (!(Math.abs(a - b) <= tol)) {
      expect.fail(`${what}[${k}]: got ${a}, expected ${b} (|diff| ${Math.abs(a - b)} > tol ${tol})`);
    }
  }
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < v.length; k++) m = Math.max(m, Math.abs(v[k]!));
  return m;
}

export interface ContractOptions {
  /**
   * The kernel has a kink at `r = 0` (contains Matérn 1/2): the input gradient at an exact
   * duplicate is excluded from the finite-difference check.
   */
  kinkAtZero?: boolean;
}

/**
 * The checks every {@link Kernel} must pass. `makeKernel` returns a fresh kernel with
 * non-trivial hyperparameters; its `dim` decides the data's.
 */
export function kernelContract(name: string, makeKernel: () => Kernel, options: ContractOptions = {}): void {
  describe(`Kernel contract: ${name}`, () => {
    const kernel = makeKernel();
    const d = kernel.dim;
    const next = rng(12345 + d);
    const n = 9;
    const X = randomMatrix(n, d, next);
    const X2 = randomMatrix(5, d, next);
    // 7 rows, three copies of one point and two of another.
    const Xdup = fromRows([0, 1, 0, 2, 3, 2, 0].map((s) => Array.from({ length: d }, (_, t) => ((s * 7 + t * 3) % 10) / 10)));

    it('has consistent hyperparameter bookkeeping', () => {
      expect(kernel.hyperparameterNames()).toHaveLength(kernel.numHyperparameters);
      expect(new Set(kernel.hyperparameterNames()).size).toBe(kernel.numHyperparameters);
      expect(kernel.getHyperparameters()).toHaveLength(kernel.numHyperparameters);
    });

    it('K(X, X) is symmetric with the right shape', () => {
      const K = kernel.covariance(X, X);
      expect([K.rows, K.cols]).toEqual([n, n]);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(el(K, i, j)).toBe(el(K, j, i));
    });

    it('K(X, X) is positive semi-definite (Cholesky of K + 1e-9 I succeeds)', () => {
      for (const A of [X, Xdup, randomMatrix(30, d, rng(7))]) {
        const K = kernel.covariance(A, A);
        for (let i = 0; i < A.rows; i++) K.data[i * A.rows + i]! += 1e-9;
        expect(cholesky(K)).not.toBeNull();
      }
    });

    it('K(X1, X2) = K(X2, X1)^T', () => {
      const K12 = kernel.covariance(X, X2);
      const K21 = kernel.covariance(X2, X);
      expect([K12.rows, K12.cols]).toEqual([n, 5]);
      for (let i = 0; i < n; i++) for (let j = 0; j < 5; j++) expect(el(K12, i, j)).toBeCloseTo(el(K21, j, i), 14);
    });

    it('the symmetric fast path equals the general path', () => {
      const copy: Matrix = { rows: X.rows, cols: X.cols, data: X.data.slice() };
      expectClose(kernel.covariance(X, X).data, kernel.covariance(X, copy).data, 1e-14, 1, 'K');
    });

    it('diagonal() equals the diagonal of the covariance', () => {
      const K = kernel.covariance(X, X);
      const diag = kernel.diagonal(X);
      expect(diag).toHaveLength(n);
      expectClose(diag, Array.from({ length: n }, (_, i) => el(K, i, i)), 1e-14, 1, 'diag');
    });

    it('batched K(X1, X2) equals single-row calls k(x_i, x_j)', () => {
      const K = kernel.covariance(X, X2);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 5; j++) {
          const xi: Matrix = { rows: 1, cols: d, data: X.data.slice(i * d, (i + 1) * d) };
          const xj: Matrix = { rows: 1, cols: d, data: X2.data.slice(j * d, (j + 1) * d) };
          const kij = kernel.covariance(xi, xj);
          expect([kij.rows, kij.cols]).toEqual([1, 1]);
          expect(kij.data[0]).toBeCloseTo(el(K, i, j), 14);
        }
      }
    });

    it('round-trips hyperparameters through get/set', () => {
      const k = makeKernel();
      const theta = k.getHyperparameters();
      const shifted = theta.map((v, i) => v + 0.1 * (i + 1));
      k.setHyperparameters(shifted);
      expect(Array.from(k.getHyperparameters())).toEqual(Array.from(shifted));
      // get returns a copy
      k.getHyperparameters()[0] = 99;
      expect(k.getHyperparameters()[0]).toBe(shifted[0]);
      k.setHyperparameters(theta);
      expectClose(k.covariance(X, X).data, kernel.covariance(X, X).data, 1e-14, 1, 'K after restore');
    });

    it('hyperparameterGradient matches central finite differences of sum(W ∘ K(theta))', () => {
      for (const A of [X, Xdup]) {
        const k = makeKernel();
        const m = A.rows;
        const W = randomMatrix(m, m, rng(99), -1, 1);
        const g = k.hyperparameterGradient(A, W);
        const theta = k.getHyperparameters();
        const h = 1e-5;
        const fd = new Float64Array(theta.length);
        for (let p = 0; p < theta.length; p++) {
          const tp = theta.slice();
          tp[p]! += h;
          k.setHyperparameters(tp);
          const fp = contract(W, k.covariance(A, A));
          const tm = theta.slice();
          tm[p]! -= h;
          k.setHyperparameters(tm);
          const fm = contract(W, k.covariance(A, A));
          fd[p] = (fp - fm) / (2 * h);
        }
        k.setHyperparameters(theta);
        for (const v of g) expect(Number.isFinite(v)).toBe(true);
        expectClose(g, fd, 1e-6, maxAbs(fd) * 1e-3 + 1e-9, 'dtheta');
      }
    });

    it('inputGradient matches central finite differences of k(x, X_i)', () => {
      const k = makeKernel();
      const x = Array.from(randomMatrix(1, d, rng(3)).data);
      // Include one exact duplicate of x as a row, unless the kernel has a kink there.
      const rows = [...Array.from({ length: n }, (_, i) => Array.from(X.data.subarray(i * d, (i + 1) * d)))];
      if (!options.kinkAtZero) rows.push(x.slice());
      const A = fromRows(rows);
      const G = k.inputGradient(x, A);
      expect([G.rows, G.cols]).toEqual([A.rows, d]);
      const h = 1e-6;
      const fd = new Float64Array(A.rows * d);
      for (let t = 0; t < d; t++) {
        const xp = x.slice();
        xp[t]! += h;
        const xm = x.slice();
        xm[t]! -= h;
        const kp = k.covariance(fromRows([xp]), A).data;
        const km = k.covariance(fromRows([xm]), A).data;
        for (let i = 0; i < A.rows; i++) fd[i * d + t] = (kp[i]! - km[i]!) / (2 * h);
      }
      expectClose(G.data, fd, 1e-6, maxAbs(fd) * 1e-3 + 1e-9, 'dk/dx');
    });

    it('duplicate points give finite gradients', () => {
      const k = makeKernel();
      const W = randomMatrix(Xdup.rows, Xdup.rows, rng(5), -1, 1);
      for (const v of k.hyperparameterGradient(Xdup, W)) expect(Number.isFinite(v)).toBe(true);
      const x = Array.from(Xdup.data.subarray(0, d));
      for (const v of k.inputGradient(x, Xdup).data) expect(Number.isFinite(v)).toBe(true);
      for (const v of k.covariance(Xdup, Xdup).data) expect(Number.isFinite(v)).toBe(true);
    });

    it('rejects inputs with the wrong number of columns', () => {
      const bad = randomMatrix(3, d + 1, rng(1));
      expect(() => kernel.covariance(bad, X)).toThrow(/columns/);
      expect(() => kernel.covariance(X, bad)).toThrow(/columns/);
      expect(() => kernel.diagonal(bad)).toThrow(/columns/);
      expect(() => kernel.inputGradient(new Array(d + 1).fill(0), X)).toThrow(/length/);
      expect(() => kernel.hyperparameterGradient(X, randomMatrix(n, n + 1, rng(1)))).toThrow(/W must be/);
      expect(() => kernel.setHyperparameters(new Float64Array(kernel.numHyperparameters + 1))).toThrow(/raw hyperparameters/);
    });
  });
}
