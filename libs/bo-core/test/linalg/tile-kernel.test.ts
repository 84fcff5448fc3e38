import { afterAll, describe, expect, it } from 'vitest';
import { roundUp4, tileKernelTs, type TileKernel } from '../../src/linalg/tile-kernel.js';
import { linalgBackend, releaseWasmArena, setWasmKernelEnabled, wasmArena } from '../../src/linalg/wasm-kernel.js';
import { cholesky, choleskyInverse, solveLowerMatrix } from '../../src/linalg/index.js';
import { EPS, randomMatrix, randomSpd, relError, rng } from './helpers.js';

/** The documented update, written out directly. */
function referenceUpdate(
  P: Float64Array, a: number, b: number, bStride: number, w: number, C: Float64Array, c: number, ldc: number, nt: number,
): void {
  for (let t = 0; t < nt; t++) {
    for (let r = 0; r < 4; r++) {
      for (let q = 0; q < 4; q++) {
        let s = 0;
        for (let k = 0; k < w; k++) s += P[a + 4 * k + r]! * P[b + t * bStride + 4 * k + q]!;
        C[c + r * ldc + 4 * t + q] = C[c + r * ldc + 4 * t + q]! - s;
      }
    }
  }
}

/** Runs `kernel` on random data laid out in `buf` (P and C share it, as in the library). */
function runCase(kernel: TileKernel, buf: Float64Array, w: number, nt: number, seed: number): { got: Float64Array; want: Float64Array } {
  const r = rng(seed);
  const bStride = 4 * w + 8; // tiles need not be adjacent
  const a = 4, b = a + 4 * w + 4, c = b + nt * bStride + 4, ldc = 4 * nt + 12;
  const size = c + 4 * ldc;
  for (let i = 0; i < size; i++) buf[i] = 2 * r() - 1;
  const want = buf.slice(0, size);
  referenceUpdate(want, a, b, bStride, w, want, c, ldc, nt);
  kernel(buf, a, b, bStride, w, buf, c, ldc, nt);
  return { got: buf.slice(0, size), want };
}

const SHAPES: [number, number][] = [[1, 1], [2, 1], [3, 2], [7, 3], [48, 5], [200, 2]];

describe('tile kernel', () => {
  afterAll(() => {
    setWasmKernelEnabled(true);
  });

  it.each(SHAPES)('TypeScript kernel matches the definition (w = %i, nt = %i)', (w, nt) => {
    const { got, want } = runCase(tileKernelTs, new Float64Array(8192), w, nt, w * 31 + nt);
    expect(relError(got, want)).toBeLessThan(4 * w * EPS);
  });

  it('wasm SIMD is available in this runtime (Node >= 16.4)', () => {
    setWasmKernelEnabled(true);
    expect(linalgBackend()).toBe('wasm-simd');
  });

  it.each(SHAPES)('wasm kernel matches the definition (w = %i, nt = %i)', (w, nt) => {
    const arena = wasmArena()!;
    const buf = arena.reserve(8192)!;
    const { got, want } = runCase(arena.kernel, buf, w, nt, w * 17 + nt);
    expect(relError(got, want)).toBeLessThan(4 * w * EPS);
  });

  it('the wasm kernel ignores w = 0 and nt = 0', () => {
    const arena = wasmArena()!;
    const buf = arena.reserve(64)!;
    buf.fill(3, 0, 64);
    arena.kernel(buf, 0, 16, 16, 0, buf, 32, 4, 1);
    arena.kernel(buf, 0, 16, 16, 2, buf, 32, 4, 0);
    expect(buf.subarray(0, 64).every((v) => v === 3)).toBe(true);
  });

  it('the arena grows on demand and can be released and recreated', () => {
    const arena = wasmArena()!;
    const big = arena.reserve(3_000_000)!;
    expect(big.length).toBeGreaterThanOrEqual(3_000_000);
    releaseWasmArena();
    expect(wasmArena()).not.toBe(arena);
    const A = randomSpd(120, 9);
    const fromFreshArena = cholesky(A).L.data;
    setWasmKernelEnabled(false);
    expect(relError(fromFreshArena, cholesky(A).L.data)).toBeLessThan(1e-13);
  });

  it('wasm and TypeScript backends agree on cholesky, solves and the inverse', () => {
    const A = randomSpd(203, 4);
    const B = randomMatrix(203, 10, 5);
    const run = (): Float64Array[] => {
      const { L } = cholesky(A);
      return [L.data, solveLowerMatrix(L, B).data, choleskyInverse(L).data];
    };
    setWasmKernelEnabled(true);
    const w = run();
    setWasmKernelEnabled(false);
    const t = run();
    for (let i = 0; i < w.length; i++) expect(relError(w[i]!, t[i]!)).toBeLessThan(1e-13);
  });

  it('roundUp4', () => {
    expect([0, 1, 4, 5, 8].map(roundUp4)).toEqual([0, 4, 4, 8, 8]);
  });
});
