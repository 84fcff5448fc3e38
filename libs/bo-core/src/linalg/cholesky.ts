/**
 * Cholesky factorisation A = L Lᵀ of a symmetric positive definite n x n matrix (float64,
 * row-major), with escalating diagonal jitter for the nearly singular kernel matrices of
 * Gaussian processes. Only the lower triangle of A is read; symmetry is not checked.
 *
 * The work is done by the blocked algorithm of `blocked-cholesky.ts` (wasm SIMD kernel where
 * available, TypeScript otherwise); `choleskyReference` is the plain textbook loop, kept as the
 * oracle for tests and the baseline for benchmarks.
 */
import { InputDataError, NotPositiveDefiniteError, ShapeError } from '../errors/errors.js';
import { zeros, type Matrix } from './matrix.js';
import { blockedScratchSize, factorBlocked } from './blocked-cholesky.js';
import { roundUp4 } from './tile-kernel.js';
import { acquireWorkspace } from './workspace.js';

/** Options of `cholesky`. */
export interface CholeskyOptions {
  /** Jittered attempts after the first, unjittered one. Default 6. */
  readonly maxTries?: number;
  /** First jitter, relative to the mean absolute diagonal (1 if that is 0). Default 1e-8. */
  readonly initialJitter?: number;
}

/** Result of `cholesky`. */
export interface CholeskyResult {
  /** Lower triangular n x n factor, strict upper triangle zero: A + jitter I = L Lᵀ. */
  readonly L: Matrix;
  /** Absolute jitter that was added to the diagonal; 0 when none was needed. */
  readonly jitter: number;
}

/** Below this size the unblocked loop is as fast and needs no scratch memory. */
const UNBLOCKED_MAX = 32;

function assertSquare(A: Matrix, where: string): void {
  if (A.rows !== A.cols) throw new ShapeError(`${where}: expected a square matrix, got ${A.rows} x ${A.cols}`);
  if (A.data.length !== A.rows * A.cols) {
    throw new ShapeError(`${where}: expected ${A.rows * A.cols} values for ${A.rows} x ${A.cols}, got ${A.data.length}`);
  }
}

/**
 * Overwrites the lower triangle of the n x n matrix A with L (A = L Lᵀ) and zeroes the strict
 * upper triangle. Returns false, without throwing, when a pivot is not positive or a non-finite
 * value turns up; A's contents are then unspecified. Throws ShapeError if A is not square.
 */
export function choleskyInPlace(A: Matrix): boolean {
  assertSquare(A, 'choleskyInPlace');
  return factorInto(A.data, A.rows, 0, A.data);
}

/**
 * Unblocked Cholesky–Crout, column by column, in place on the n x n row-major `a` (lower
 * triangle): the fast path for small n. False on a pivot that is not finite and > 0.
 */
function factorUnblocked(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j]!;
    for (let k = 0; k < j; k++) s -= a[rj + k]! * a[rj + k]!;
    if (!(s > 0 && s < Infinity)) return false;
    const d = Math.sqrt(s);
    a[rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j]!;
      for (let k = 0; k < j; k++) t -= a[ri + k]! * a[rj + k]!;
      a[ri + j] = t / d;
    }
  }
  return true;
}

/**
 * Factors (lower triangle of src) + jitter I, n x n, writing L into dst (may be src) with its
 * strict upper triangle zeroed. False on failure (dst then unspecified).
 */
function factorInto(src: Float64Array, n: number, jitter: number, dst: Float64Array): boolean {
  if (n <= UNBLOCKED_MAX) {
    if (dst !== src) dst.set(src);
    if (jitter !== 0) for (let i = 0; i < n; i++) dst[i * n + i] = src[i * n + i]! + jitter;
    if (!factorUnblocked(dst, n)) return false;
  } else {
    // Padded copy, np = roundUp4(n) rows and columns, identity in the padding; scratch after it.
    const np = roundUp4(n);
    const { buf, kernel } = acquireWorkspace(np * np + blockedScratchSize(np));
    for (let i = 0; i < n; i++) {
      buf.set(src.subarray(i * n, i * n + i + 1), i * np);
      buf[i * np + i] = src[i * n + i]! + jitter;
    }
    for (let i = n; i < np; i++) {
      buf.fill(0, i * np, i * np + i);
      buf[i * np + i] = 1;
    }
    if (!factorBlocked(buf, np, np, np * np, kernel)) return false;
    for (let i = 0; i < n; i++) dst.set(buf.subarray(i * np, i * np + i + 1), i * n);
  }
  for (let i = 0; i < n; i++) dst.fill(0, i * n + i + 1, (i + 1) * n);
  return true;
}

/**
 * Cholesky factor of A (not modified), adding jitter to the diagonal if needed: first without
 * jitter, then with jitter = initialJitter · mean|diag(A)|, ×10 on each retry, `maxTries` times.
 *
 * @throws InputDataError if A holds NaN or ±Infinity, or the options are invalid.
 * @throws NotPositiveDefiniteError if every attempt fails; `jitterTried` is the largest jitter.
 * @throws ShapeError if A is not square.
 */
export function cholesky(A: Matrix, options: CholeskyOptions = {}): CholeskyResult {
  assertSquare(A, 'cholesky');
  const maxTries = options.maxTries ?? 6;
  const initialJitter = options.initialJitter ?? 1e-8;
  if (!Number.isInteger(maxTries) || maxTries < 0) {
    throw new InputDataError(`cholesky: maxTries must be a non-negative integer, got ${maxTries}`);
  }
  if (!(initialJitter > 0 && initialJitter < Infinity)) {
    throw new InputDataError(`cholesky: initialJitter must be a finite number > 0, got ${initialJitter}`);
  }
  const n = A.rows;
  const src = A.data;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    if (v - v !== 0) {
      const r = Math.floor(i / n);
      throw new InputDataError(
        `cholesky: the ${n} x ${n} matrix has a non-finite entry A[${r}][${i - r * n}] = ${v}; ` +
          'check the training inputs and kernel hyperparameters for NaN or Infinity',
      );
    }
  }
  const L = zeros(n, n);
  if (factorInto(src, n, 0, L.data)) return { L, jitter: 0 };

  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += Math.abs(src[i * n + i]!);
  meanDiag = n > 0 ? meanDiag / n : 0;
  const scale = meanDiag > 0 ? meanDiag : 1;
  let jitter = initialJitter * scale;
  let tried = 0;
  for (let t = 0; t < maxTries; t++, jitter *= 10) {
    tried = jitter;
    if (factorInto(src, n, jitter, L.data)) return { L, jitter };
  }
  const how = maxTries > 0
    ? `even after adding jitter up to ${tried.toExponential(2)} (${(tried / scale).toExponential(1)} x the mean diagonal ${scale.toExponential(2)}) to the diagonal in ${maxTries} tries`
    : 'and no jitter was allowed (maxTries = 0)';
  throw new NotPositiveDefiniteError(
    `cholesky: the ${n} x ${n} matrix is not positive definite, ${how}. ` +
      'Typical causes: duplicate or near-duplicate input points, a noise variance (noise floor) that is ' +
      'too small, or a lengthscale that is too long. Remove duplicate points, raise the noise floor, ' +
      'or pass a larger maxTries/initialJitter.',
    tried,
  );
}

/**
 * Reference Cholesky–Banachiewicz, row by row:  L[i][j] = (A[i][j] - Σ_{k<j} L[i][k] L[j][k]) / L[j][j],
 * L[i][i] = sqrt(A[i][i] - Σ_{k<i} L[i][k]²). Plain O(n³/3) loops, no blocking; A is not modified.
 * For tests and benchmarks only.
 * @throws NotPositiveDefiniteError (jitterTried 0) on a pivot that is not finite and > 0.
 */
export function choleskyReference(A: Matrix): Matrix {
  assertSquare(A, 'choleskyReference');
  const n = A.rows;
  const a = A.data;
  const L = zeros(n, n);
  const l = L.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      if (i === j) {
        if (!(s > 0 && s < Infinity)) {
          throw new NotPositiveDefiniteError(`choleskyReference: pivot ${i} of the ${n} x ${n} matrix is ${s}`, 0);
        }
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j]!;
      }
    }
  }
  return L;
}
