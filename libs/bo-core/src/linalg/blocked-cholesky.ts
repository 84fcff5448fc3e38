/**
 * Blocked Cholesky on a padded row-major work buffer. Every O(n³) flop goes through the 4 x 4
 * tile kernel of `tile-kernel.ts` (TypeScript or wasm SIMD); the rest is O(n²).
 *
 * Right-looking over block columns K = [k0, k1) of width nb, A partitioned as [A11 ·; A21 A22]:
 *   1. [L11; L21] = [A11; A21] L11⁻ᵀ   the block column, left-looking in groups of 4 columns G:
 *        a. A[i][G] -= Σ_{k0 <= k < g0} L[i][k] L[G][k]   for rows i >= g0      (kernel, one call)
 *        b. L[G][G] = chol(A[G][G]) (4 x 4), then L[i][G] = A[i][G] L[G][G]⁻ᵀ for rows below
 *      Step a works on a transposed 4-row scratch T (T[c][i] = A[i][g0 + c]) so that a single
 *      kernel call covers all rows. Finished columns are copied into the tile pack P.
 *   2. A22 -= L21 L21ᵀ   over the lower 4 x 4 tiles, from P (kernel, one call per tile row).
 * Flops: n³/3. The matrix is padded to n' = roundUp4(n) rows/columns with an identity tail, whose
 * factor is the identity, so that no tile is partial.
 */
import type { TileKernel } from './tile-kernel.js';

/** Block width (columns per step). A multiple of 4; tuned on a 2-core x86-64 (Zen 3). */
export const CHOLESKY_BLOCK = 48;
/** Column tiles per cache block of the trailing update (keeps its B tiles in L2). */
const TILE_CHUNK = 96;

/** Doubles of scratch that `factorBlocked` needs after the matrix, for padded size np. */
export function blockedScratchSize(np: number, nb: number = CHOLESKY_BLOCK): number {
  return np * nb + 4 * np;
}

/**
 * Factors in place the np x np matrix held in `buf[i * ld + j]` (lower triangle read, upper
 * ignored), np a multiple of 4, ld >= np. Afterwards the lower triangle holds L, A = L Lᵀ; the
 * strict upper triangle holds garbage. `scratch` is the offset of `blockedScratchSize(np, nb)`
 * free doubles in `buf`. Returns false (buf partly factored) on a pivot that is not finite and > 0.
 */
export function factorBlocked(
  buf: Float64Array, np: number, ld: number, scratch: number, kernel: TileKernel, nb: number = CHOLESKY_BLOCK,
): boolean {
  const tileSize = 4 * nb;
  const packOff = scratch;
  const tOff = scratch + np * nb;
  for (let k0 = 0; k0 < np; k0 += nb) {
    const k1 = Math.min(np, k0 + nb);
    for (let g0 = k0; g0 < k1; g0 += 4) {
      // a. Gather columns g0..g0+3 of rows g0.. into T, and subtract the earlier groups of this block.
      for (let i = g0; i < np; i++) {
        const s = i * ld + g0;
        buf[tOff + i] = buf[s]!;
        buf[tOff + np + i] = buf[s + 1]!;
        buf[tOff + 2 * np + i] = buf[s + 2]!;
        buf[tOff + 3 * np + i] = buf[s + 3]!;
      }
      const gTile = packOff + ((g0 - k0) >> 2) * tileSize;
      if (g0 > k0) kernel(buf, gTile, gTile, tileSize, g0 - k0, buf, tOff + g0, np, (np - g0) >> 2);
      // b. Factor and solve.
      if (!factorGroup(buf, np, ld, k0, g0, tOff, packOff, tileSize)) return false;
    }
    if (k1 < np) trailingUpdate(buf, np, ld, k0, k1, packOff, tileSize, kernel);
  }
  return true;
}

/**
 * Step 1b for the group of columns [g0, g0 + 4): from the updated values in T, the 4 x 4
 * Cholesky of the diagonal tile, then the forward substitution of every row below it; results
 * go to buf (the factor) and to the pack (for later kernel calls).
 */
function factorGroup(
  buf: Float64Array, np: number, ld: number, k0: number, g0: number, tOff: number, packOff: number, tileSize: number,
): boolean {
  const t0 = tOff, t1 = tOff + np, t2 = tOff + 2 * np, t3 = tOff + 3 * np;
  // Diagonal tile: a[r][c] = T[c][g0 + r], r >= c.
  let s = buf[t0 + g0]!;
  if (!(s > 0 && s < Infinity)) return false;
  const d0 = Math.sqrt(s);
  const l10 = buf[t0 + g0 + 1]! / d0, l20 = buf[t0 + g0 + 2]! / d0, l30 = buf[t0 + g0 + 3]! / d0;
  s = buf[t1 + g0 + 1]! - l10 * l10;
  if (!(s > 0 && s < Infinity)) return false;
  const d1 = Math.sqrt(s);
  const l21 = (buf[t1 + g0 + 2]! - l20 * l10) / d1, l31 = (buf[t1 + g0 + 3]! - l30 * l10) / d1;
  s = buf[t2 + g0 + 2]! - l20 * l20 - l21 * l21;
  if (!(s > 0 && s < Infinity)) return false;
  const d2 = Math.sqrt(s);
  const l32 = (buf[t2 + g0 + 3]! - l30 * l20 - l31 * l21) / d2;
  s = buf[t3 + g0 + 3]! - l30 * l30 - l31 * l31 - l32 * l32;
  if (!(s > 0 && s < Infinity)) return false;
  const d3 = Math.sqrt(s);
  const tile = [d0, 0, 0, 0, l10, d1, 0, 0, l20, l21, d2, 0, l30, l31, l32, d3];
  const kk = 4 * (g0 - k0);
  for (let r = 0; r < 4; r++) {
    const row = (g0 + r) * ld + g0;
    const p = packOff + ((g0 - k0) >> 2) * tileSize + kk + r;
    for (let c = 0; c < 4; c++) {
      const v = tile[4 * r + c]!;
      if (c <= r) buf[row + c] = v;
      buf[p + 4 * c] = v;
    }
  }
  // Rows below: l = t L⁻ᵀ (forward substitution with the 4 x 4 tile).
  for (let i = g0 + 4; i < np; i++) {
    const a0 = buf[t0 + i]! / d0;
    const a1 = (buf[t1 + i]! - a0 * l10) / d1;
    const a2 = (buf[t2 + i]! - a0 * l20 - a1 * l21) / d2;
    const a3 = (buf[t3 + i]! - a0 * l30 - a1 * l31 - a2 * l32) / d3;
    const row = i * ld + g0;
    buf[row] = a0;
    buf[row + 1] = a1;
    buf[row + 2] = a2;
    buf[row + 3] = a3;
    const p = packOff + ((i - k0) >> 2) * tileSize + kk + (i & 3);
    buf[p] = a0;
    buf[p + 4] = a1;
    buf[p + 8] = a2;
    buf[p + 12] = a3;
  }
  return true;
}

/** Step 2: A22 -= L21 L21ᵀ on the lower tiles of rows/columns [k1, np), with L21 from the pack. */
function trailingUpdate(
  buf: Float64Array, np: number, ld: number, k0: number, k1: number, packOff: number, tileSize: number, kernel: TileKernel,
): void {
  const w = k1 - k0;
  const first = packOff + (w >> 2) * tileSize; // pack tile of row k1
  const tiles = (np - k1) >> 2;
  for (let gj0 = 0; gj0 < tiles; gj0 += TILE_CHUNK) {
    const gj1 = Math.min(tiles, gj0 + TILE_CHUNK);
    for (let gi = gj0; gi < tiles; gi++) {
      const nt = Math.min(gi + 1, gj1) - gj0;
      const c = (k1 + 4 * gi) * ld + k1 + 4 * gj0;
      kernel(buf, first + gi * tileSize, first + gj0 * tileSize, tileSize, w, buf, c, ld, nt);
    }
  }
}
