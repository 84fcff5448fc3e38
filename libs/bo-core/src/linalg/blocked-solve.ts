/**
 * Kernel-based triangular solves with many right-hand sides, and the product Wᵀ W used for the
 * inverse. L is an n x n lower triangular row-major array (the caller's memory); the right-hand
 * side X lives in a workspace (see `workspace.ts`) as np x mp row-major (np = roundUp4(n),
 * mp = roundUp4(m), padding zero), next to XP, X packed by 4-column tiles:
 * XP[xp + q·4np + 4k + c] = X[k][4q + c], and LP, one 4-row tile of L (4 np doubles).
 *
 * Both solves go 4 rows at a time, "left-looking": rows G = [g0, g0 + 4) first receive all
 * finished rows in one kernel call (X[G] -= L[G, done] X[done]), then the 4 x 4 diagonal solve,
 * then are appended to XP. Flops n² m, nearly all in the kernel.
 */
import { roundUp4, type TileKernel } from './tile-kernel.js';

/** Offsets (in doubles) of X, XP and LP in a workspace, and the padded sizes. */
export interface SolveLayout {
  readonly n: number;
  readonly np: number;
  readonly mp: number;
  readonly x: number;
  readonly xp: number;
  readonly lp: number;
  /** Total doubles. */
  readonly size: number;
}

/** The layout for n x n L and m right-hand sides. */
export function solveLayout(n: number, m: number): SolveLayout {
  const np = roundUp4(n);
  const mp = roundUp4(m);
  const x = 0, xp = np * mp, lp = 2 * np * mp;
  return { n, np, mp, x, xp, lp, size: lp + 4 * np };
}

/** X = L⁻¹ X on rows [0, n), all mp columns; XP receives the result. */
export function forwardSolve(L: Float64Array, buf: Float64Array, lay: SolveLayout, kernel: TileKernel): void {
  const { n, np, mp, x, xp, lp } = lay;
  for (let g0 = 0; g0 < n; g0 += 4) {
    const rows = Math.min(4, n - g0);
    if (g0 > 0) {
      packLowerRows(L, n, g0, rows, 0, g0, buf, lp);
      kernel(buf, lp, xp, 4 * np, g0, buf, x + g0 * mp, mp, mp >> 2);
    }
    for (let r = 0; r < rows; r++) {
      const i = g0 + r;
      const row = x + i * mp;
      for (let q = 0; q < r; q++) axpy(buf, row, -L[i * n + g0 + q]!, x + (g0 + q) * mp, mp);
      divide(buf, row, L[i * n + i]!, mp);
    }
    appendRows(buf, lay, g0, mp >> 2);
  }
}

/** X = L⁻ᵀ X on rows [0, n), all mp columns; XP receives the result. */
export function backwardSolve(L: Float64Array, buf: Float64Array, lay: SolveLayout, kernel: TileKernel): void {
  const { n, np, mp, x, xp, lp } = lay;
  for (let g0 = (n - 1) & ~3; g0 >= 0; g0 -= 4) {
    const rows = Math.min(4, n - g0);
    const k0 = g0 + 4;
    if (k0 < n) {
      // LP[4 (k - k0) + r] = L[k][g0 + r]: 4 contiguous values of row k (here rows = 4).
      for (let k = k0, d = lp; k < n; k++, d += 4) {
        const s = k * n + g0;
        buf[d] = L[s]!; buf[d + 1] = L[s + 1]!; buf[d + 2] = L[s + 2]!; buf[d + 3] = L[s + 3]!;
      }
      kernel(buf, lp, xp + 4 * k0, 4 * np, n - k0, buf, x + g0 * mp, mp, mp >> 2);
    }
    for (let r = rows - 1; r >= 0; r--) {
      const i = g0 + r;
      const row = x + i * mp;
      for (let q = r + 1; q < rows; q++) axpy(buf, row, -L[(g0 + q) * n + i]!, x + (g0 + q) * mp, mp);
      divide(buf, row, L[i * n + i]!, mp);
    }
    appendRows(buf, lay, g0, mp >> 2);
  }
}

/**
 * W = L⁻¹ (lower triangular) into X and XP, with X = I on entry (lay.mp = lay.np). Uses that
 * W[k][j] = 0 for j > k: tile columns right of the diagonal and rows k < 4q of column tile q are
 * skipped, so the cost is n³/3 flops. XP entries above the diagonal tiles are left unwritten.
 */
export function invertLower(L: Float64Array, buf: Float64Array, lay: SolveLayout, kernel: TileKernel): void {
  const { n, np, mp, x, xp, lp } = lay;
  for (let g0 = 0; g0 < n; g0 += 4) {
    const rows = Math.min(4, n - g0);
    const width = g0 + 4; // columns that can be non-zero in rows G
    if (g0 > 0) {
      packLowerRows(L, n, g0, rows, 0, g0, buf, lp);
      for (let q = 0; 4 * q < g0; q++) {
        kernel(buf, lp + 16 * q, xp + q * 4 * np + 16 * q, 4 * np, g0 - 4 * q, buf, x + g0 * mp + 4 * q, mp, 1);
      }
    }
    for (let r = 0; r < rows; r++) {
      const i = g0 + r;
      const row = x + i * mp;
      for (let q = 0; q < r; q++) axpy(buf, row, -L[i * n + g0 + q]!, x + (g0 + q) * mp, width);
      divide(buf, row, L[i * n + i]!, width);
    }
    appendRows(buf, lay, g0, width >> 2);
  }
}

/**
 * S = -(Wᵀ W) on the lower 4 x 4 tiles of the np x np array at `s` (which must be zero on
 * entry), from XP as left by `invertLower`: (Wᵀ W)[i][j] = Σ_{k >= max(i, j)} W[k][i] W[k][j].
 * n³/3 flops.
 */
export function gramOfLowerInverse(buf: Float64Array, lay: SolveLayout, s: number, kernel: TileKernel): void {
  const { n, np, xp } = lay;
  for (let qi = 0; 4 * qi < n; qi++) {
    const k0 = 4 * qi;
    kernel(buf, xp + qi * 4 * np + 4 * k0, xp + 4 * k0, 4 * np, n - k0, buf, s + k0 * np, np, qi + 1);
  }
}

/** LP = 4-row tile of L rows [g0, g0 + rows), columns [k0, k1) (rows past `rows` zero). */
function packLowerRows(
  L: Float64Array, n: number, g0: number, rows: number, k0: number, k1: number, buf: Float64Array, lp: number,
): void {
  for (let r = 0; r < 4; r++) {
    let d = lp + r;
    if (r < rows) {
      const s = (g0 + r) * n;
      for (let k = k0; k < k1; k++, d += 4) buf[d] = L[s + k]!;
    } else {
      for (let k = k0; k < k1; k++, d += 4) buf[d] = 0;
    }
  }
}

/** Copies rows [g0, g0 + 4) of X, column tiles [0, tiles), into XP. */
function appendRows(buf: Float64Array, lay: SolveLayout, g0: number, tiles: number): void {
  const { np, mp, x, xp } = lay;
  for (let r = 0; r < 4; r++) {
    const src = x + (g0 + r) * mp;
    let d = xp + 4 * (g0 + r);
    for (let q = 0; q < tiles; q++, d += 4 * np) {
      const s = src + 4 * q;
      buf[d] = buf[s]!; buf[d + 1] = buf[s + 1]!; buf[d + 2] = buf[s + 2]!; buf[d + 3] = buf[s + 3]!;
    }
  }
}

/** buf[y .. y+len) += alpha · buf[xOff .. xOff+len). */
function axpy(buf: Float64Array, y: number, alpha: number, xOff: number, len: number): void {
  for (let j = 0; j < len; j++) buf[y + j] = buf[y + j]! + alpha * buf[xOff + j]!;
}

/** buf[y .. y+len) /= d. */
function divide(buf: Float64Array, y: number, d: number, len: number): void {
  for (let j = 0; j < len; j++) buf[y + j] = buf[y + j]! / d;
}
