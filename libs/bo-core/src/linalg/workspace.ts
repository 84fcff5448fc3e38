/**
 * Scratch buffers for the blocked routines: a view of the shared wasm memory when the wasm SIMD
 * kernel is available, else a fresh Float64Array; either way paired with the matching kernel.
 */
import { tileKernelTs, type TileKernel } from './tile-kernel.js';
import { wasmArena } from './wasm-kernel.js';

/** A scratch buffer and the kernel that may be run on it. */
export interface Workspace {
  /** At least the requested number of doubles. Contents are arbitrary (not zeroed). */
  readonly buf: Float64Array;
  readonly kernel: TileKernel;
}

/**
 * A workspace of at least `doubles` values. The wasm one is shared: it is valid only until the
 * next call of this function, so a routine copies its result out before calling another one.
 */
export function acquireWorkspace(doubles: number): Workspace {
  const arena = wasmArena();
  if (arena !== null) {
    const buf = arena.reserve(doubles);
    if (buf !== null) return { buf, kernel: arena.kernel };
  }
  return { buf: new Float64Array(doubles), kernel: tileKernelTs };
}
