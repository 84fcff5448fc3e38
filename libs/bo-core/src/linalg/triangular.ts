/**
 * Solves with a lower triangular factor L (n x n, row-major, as returned by `cholesky`), the
 * inverse A⁻¹ = L⁻ᵀ L⁻¹ and log|A|. Only the lower triangle of L is read. Vector solves are
 * plain O(n²) loops over contiguous rows; matrix solves and the inverse run on the blocked tile
 * kernel (see `blocked-solve.ts`). No argument is modified.
 */
import { ShapeError } from '../errors/errors.js';
import { zeros, type Matrix } from './matrix.js';
import { backwardSolve, forwardSolve, gramOfLowerInverse, invertLower, solveLayout, type SolveLayout } from './blocked-solve.js';
import { acquireWorkspace } from './workspace.js';

function checkFactor(L: Matrix, where: string): number {
  if (L.rows !== L.cols) throw new ShapeError(`${where}: expected a square factor L, got ${L.rows} x ${L.cols}`);
  return L.rows;
}

function checkVector(n: number, b: Float64Array, where: string): void {
  if (b.length !== n) throw new ShapeError(`${where}: expected a right-hand side of length ${n}, got ${b.length}`);
}

function checkRhs(n: number, B: Matrix, where: string): void {
  if (B.rows !== n) throw new ShapeError(`${where}: expected a right-hand side with ${n} rows, got ${B.rows} x ${B.cols}`);
}

/** x with L x = b (forward substitution, row-oriented): x_i = (b_i - Σ_{k<i} L_ik x_k) / L_ii. Length n. */
export function solveLower(L: Matrix, b: Float64Array): Float64Array {
  const n = checkFactor(L, 'solveLower');
  checkVector(n, b, 'solveLower');
  const l = L.data;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * x[k]!;
    x[i] = s / l[ri + i]!;
  }
  return x;
}

/**
 * x with Lᵀ x = b (back substitution). Column form, so that L is read by rows: once x_i is
 * known, x_k -= L_ik x_i for k < i.
 */
export function solveLowerTranspose(L: Matrix, b: Float64Array): Float64Array {
  const n = checkFactor(L, 'solveLowerTranspose');
  checkVector(n, b, 'solveLowerTranspose');
  const l = L.data;
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i]! / l[ri + i]!;
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] = x[k]! - l[ri + k]! * xi;
  }
  return x;
}

/** A⁻¹ b = L⁻ᵀ (L⁻¹ b) for A = L Lᵀ. Length n. */
export function choleskySolve(L: Matrix, b: Float64Array): Float64Array {
  checkVector(checkFactor(L, 'choleskySolve'), b, 'choleskySolve');
  return solveLowerTranspose(L, solveLower(L, b));
}

/** Copies B (n x m) into the padded X of a fresh workspace. */
function loadRhs(B: Matrix, lay: SolveLayout): ReturnType<typeof acquireWorkspace> {
  const ws = acquireWorkspace(lay.size);
  const { buf } = ws;
  const m = B.cols;
  buf.fill(0, lay.x, lay.x + lay.np * lay.mp);
  for (let i = 0; i < B.rows; i++) buf.set(B.data.subarray(i * m, (i + 1) * m), lay.x + i * lay.mp);
  return ws;
}

/** The first n rows, m columns of the padded X. */
function storeRhs(buf: Float64Array, lay: SolveLayout, m: number): Matrix {
  const out = zeros(lay.n, m);
  for (let i = 0; i < lay.n; i++) out.data.set(buf.subarray(lay.x + i * lay.mp, lay.x + i * lay.mp + m), i * m);
  return out;
}

/** X with L X = B, B and X n x m. Blocked; n² m flops. */
export function solveLowerMatrix(L: Matrix, B: Matrix): Matrix {
  const n = checkFactor(L, 'solveLowerMatrix');
  checkRhs(n, B, 'solveLowerMatrix');
  const lay = solveLayout(n, B.cols);
  const { buf, kernel } = loadRhs(B, lay);
  forwardSolve(L.data, buf, lay, kernel);
  return storeRhs(buf, lay, B.cols);
}

/** X with Lᵀ X = B, B and X n x m. Blocked; n² m flops. */
export function solveLowerTransposeMatrix(L: Matrix, B: Matrix): Matrix {
  const n = checkFactor(L, 'solveLowerTransposeMatrix');
  checkRhs(n, B, 'solveLowerTransposeMatrix');
  const lay = solveLayout(n, B.cols);
  const { buf, kernel } = loadRhs(B, lay);
  backwardSolve(L.data, buf, lay, kernel);
  return storeRhs(buf, lay, B.cols);
}

/** A⁻¹ B = L⁻ᵀ (L⁻¹ B) for A = L Lᵀ, B n x m. Blocked; 2 n² m flops. */
export function choleskySolveMatrix(L: Matrix, B: Matrix): Matrix {
  const n = checkFactor(L, 'choleskySolveMatrix');
  checkRhs(n, B, 'choleskySolveMatrix');
  const lay = solveLayout(n, B.cols);
  const { buf, kernel } = loadRhs(B, lay);
  forwardSolve(L.data, buf, lay, kernel);
  backwardSolve(L.data, buf, lay, kernel);
  return storeRhs(buf, lay, B.cols);
}

/**
 * A⁻¹ (n x n, symmetric, both triangles filled) for A = L Lᵀ, as W = L⁻¹ (n³/3 flops) then
 * A⁻¹ = Wᵀ W (n³/3 flops), both on the tile kernel.
 */
export function choleskyInverse(L: Matrix): Matrix {
  const n = checkFactor(L, 'choleskyInverse');
  const lay = solveLayout(n, n);
  const { buf, kernel } = acquireWorkspace(lay.size);
  const { np, x } = lay;
  buf.fill(0, x, x + np * np);
  for (let i = 0; i < n; i++) buf[x + i * np + i] = 1;
  invertLower(L.data, buf, lay, kernel);
  buf.fill(0, x, x + np * np); // X is free now: reuse it for S = -(Wᵀ W)
  gramOfLowerInverse(buf, lay, x, kernel);
  const out = zeros(n, n);
  const o = out.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = -buf[x + i * np + j]!;
      o[i * n + j] = v;
      o[j * n + i] = v;
    }
  }
  return out;
}

/** log det A = 2 Σ_i log L_ii for A = L Lᵀ (sum of logs: no overflow for large n). */
export function logDetFromCholesky(L: Matrix): number {
  const n = checkFactor(L, 'logDetFromCholesky');
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L.data[i * n + i]!);
  return 2 * s;
}
