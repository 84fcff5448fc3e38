/**
 * The 4 x 4 register-blocked "tile update" that carries almost all the flops of the blocked
 * factorisations, solves and inverse in this folder, and its pure-TypeScript implementation.
 *
 * Packed operands. A *tile pack* holds 4 rows (or 4 columns) of a matrix interleaved by the
 * inner index k: element (r, k) of the tile lies at `pack[start + 4 k + r]`, r in [0, 4). Four
 * consecutive doubles are therefore the 4 values needed at step k, and both operand streams of
 * the micro-kernel are contiguous.
 *
 * The update, for t in [0, nt), r and q in [0, 4):
 *
 *     C[c + r ldc + 4 t + q]  -=  Σ_{k < w}  P[a + 4 k + r] · P[b + t bStride + 4 k + q]
 *
 * i.e. a 4 x (4 nt) block of the row-major C receives  -= A_tile · [B_0 B_1 … B_{nt-1}]ᵀ  where
 * A_tile (4 x w) sits at `a` and the nt B tiles (4 x w each) start at `b`, `bStride` apart.
 * Offsets and strides are counted in doubles. All 16 entries of every tile are written: callers
 * pad their matrices to multiples of 4 and ignore what lands in padding or in the upper triangle.
 */

/** Signature shared by the TypeScript kernel and the WebAssembly one (see `wasm-kernel.ts`). */
export type TileKernel = (
  P: Float64Array,
  a: number,
  b: number,
  bStride: number,
  w: number,
  C: Float64Array,
  c: number,
  ldc: number,
  nt: number,
) => void;

/**
 * Pure TypeScript kernel: 16 accumulators in locals; B values are loaded one at a time so that
 * V8 keeps the accumulators in (most of) the 16 xmm registers. About 3–4 GFLOP/s in V8.
 */
export const tileKernelTs: TileKernel = (P, a, b, bStride, w, C, c, ldc, nt) => {
  for (let t = 0; t < nt; t++) {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    let pa = a | 0;
    let pb = (b + t * bStride) | 0;
    const end = (pa + 4 * w) | 0;
    while (pa < end) {
      const a0 = P[pa]!, a1 = P[(pa + 1) | 0]!, a2 = P[(pa + 2) | 0]!, a3 = P[(pa + 3) | 0]!;
      let v = P[pb]!;
      c00 += a0 * v; c10 += a1 * v; c20 += a2 * v; c30 += a3 * v;
      v = P[(pb + 1) | 0]!;
      c01 += a0 * v; c11 += a1 * v; c21 += a2 * v; c31 += a3 * v;
      v = P[(pb + 2) | 0]!;
      c02 += a0 * v; c12 += a1 * v; c22 += a2 * v; c32 += a3 * v;
      v = P[(pb + 3) | 0]!;
      c03 += a0 * v; c13 += a1 * v; c23 += a2 * v; c33 += a3 * v;
      pa = (pa + 4) | 0;
      pb = (pb + 4) | 0;
    }
    let o = c + 4 * t;
    C[o] = C[o]! - c00; C[o + 1] = C[o + 1]! - c01; C[o + 2] = C[o + 2]! - c02; C[o + 3] = C[o + 3]! - c03;
    o += ldc;
    C[o] = C[o]! - c10; C[o + 1] = C[o + 1]! - c11; C[o + 2] = C[o + 2]! - c12; C[o + 3] = C[o + 3]! - c13;
    o += ldc;
    C[o] = C[o]! - c20; C[o + 1] = C[o + 1]! - c21; C[o + 2] = C[o + 2]! - c22; C[o + 3] = C[o + 3]! - c23;
    o += ldc;
    C[o] = C[o]! - c30; C[o + 1] = C[o + 1]! - c31; C[o + 2] = C[o + 2]! - c32; C[o + 3] = C[o + 3]! - c33;
  }
};

/** `n` rounded up to a multiple of 4 (the tile size). */
export function roundUp4(n: number): number {
  return (n + 3) & ~3;
}
