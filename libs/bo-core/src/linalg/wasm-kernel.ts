/**
 * The tile update of `tile-kernel.ts` as a hand-written WebAssembly SIMD function (f64x2), and
 * the growable wasm memory ("arena") its operands must live in.
 *
 * The module's bytes are assembled here from a short, commented instruction listing (no build
 * step, no binary blob) and compiled synchronously with `new WebAssembly.Module`; it is well
 * under the 4 KB that browsers allow to compile synchronously on the main thread. Where
 * WebAssembly or its SIMD extension is missing (or compilation fails), `wasmArena()` returns
 * null and callers use the TypeScript kernel: results are the same up to rounding.
 *
 * The function, `tile4(a, b, bStride, w, c, ldc, nt)` (i32 byte offsets into the memory, w >= 1,
 * nt >= 1), computes exactly the TileKernel update. Per step k it loads the 4 B values of the
 * current tile as two f64x2 vectors, splats each of the 4 A values, and updates 8 f64x2
 * accumulators (a 4 x 4 block): 32 flops per 6 loads.
 */
import type { TileKernel } from './tile-kernel.js';

// ---------------------------------------------------------------------------------------------
// A minimal binary encoder (only what the kernel needs).

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));

const localGet = (i: number): number[] => [0x20, ...uleb(i)];
const localSet = (i: number): number[] => [0x21, ...uleb(i)];
const localTee = (i: number): number[] => [0x22, ...uleb(i)];
const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const BR_IF_0 = [0x0d, 0x00];
const END = [0x0b];
const LOOP = [0x03, 0x40];
/** SIMD opcodes: prefix 0xfd, then the LEB128 sub-opcode and the immediates. */
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const v128Load = (offset: number): number[] => simd(0x00, 3, ...uleb(offset)); // align hint 8 bytes
const v128Load64Splat = (offset: number): number[] => simd(0x0a, 3, ...uleb(offset));
const v128Store = (offset: number): number[] => simd(0x0b, 3, ...uleb(offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const F64X2_ADD = simd(0xf0);
const F64X2_SUB = simd(0xf1);
const F64X2_MUL = simd(0xf2);

/** The body of tile4; see the file comment. */
function tile4Body(): number[] {
  // Parameters 0..6; i32 locals 7..10; v128 locals 11..21.
  const A = 0, B = 1, BSTRIDE = 2, W = 3, C = 4, LDC = 5, NT = 6;
  const PA = 7, PB = 8, K = 9, CR = 10; // running A pointer, B pointer, k counter, C row pointer
  const acc = (r: number, h: number): number => 11 + 2 * r + h; // row r of the tile, columns 2h, 2h+1
  const B01 = 19, B23 = 20, S = 21;
  const code: number[] = [];
  code.push(...LOOP); // for each of the nt tiles
  for (let r = 0; r < 4; r++) for (let h = 0; h < 2; h++) code.push(...V128_ZERO, ...localSet(acc(r, h)));
  code.push(...localGet(A), ...localSet(PA), ...localGet(B), ...localSet(PB), ...localGet(W), ...localSet(K));
  code.push(...LOOP); // for k in [0, w): acc[r] += splat(A[k][r]) * (B[k][0..1], B[k][2..3])
  code.push(...localGet(PB), ...v128Load(0), ...localSet(B01));
  code.push(...localGet(PB), ...v128Load(16), ...localSet(B23));
  for (let r = 0; r < 4; r++) {
    code.push(...localGet(PA), ...v128Load64Splat(8 * r), ...localSet(S));
    code.push(...localGet(acc(r, 0)), ...localGet(S), ...localGet(B01), ...F64X2_MUL, ...F64X2_ADD, ...localSet(acc(r, 0)));
    code.push(...localGet(acc(r, 1)), ...localGet(S), ...localGet(B23), ...F64X2_MUL, ...F64X2_ADD, ...localSet(acc(r, 1)));
  }
  code.push(...localGet(PA), ...i32Const(32), ...I32_ADD, ...localSet(PA));
  code.push(...localGet(PB), ...i32Const(32), ...I32_ADD, ...localSet(PB));
  code.push(...localGet(K), ...i32Const(1), ...I32_SUB, ...localTee(K), ...BR_IF_0, ...END);
  // Rows r = 0..3 of C at c + r ldc: C -= acc.
  code.push(...localGet(C), ...localSet(CR));
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) {
      code.push(...localGet(CR), ...localGet(CR), ...v128Load(16 * h), ...localGet(acc(r, h)), ...F64X2_SUB, ...v128Store(16 * h));
    }
    code.push(...localGet(CR), ...localGet(LDC), ...I32_ADD, ...localSet(CR));
  }
  // Next tile: c += 32 bytes, b += bStride; repeat while --nt != 0.
  code.push(...localGet(C), ...i32Const(32), ...I32_ADD, ...localSet(C));
  code.push(...localGet(B), ...localGet(BSTRIDE), ...I32_ADD, ...localSet(B));
  code.push(...localGet(NT), ...i32Const(1), ...I32_SUB, ...localTee(NT), ...BR_IF_0); // to the loop head
  code.push(...END, ...END); // loop, function
  const locals = vec([[...uleb(4), I32], [...uleb(11), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** The complete module: imports memory "e"."m", exports function "tile4". */
function moduleBytes(): Uint8Array {
  const params = vec([[I32], [I32], [I32], [I32], [I32], [I32], [I32]]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vec([[0x60, ...params, ...vec([])]])), // type 0: (i32 x 7) -> ()
    ...section(2, vec([[...name('e'), ...name('m'), 0x02, 0x00, ...uleb(1)]])), // memory, min 1 page
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name('tile4'), 0x00, 0]])), // export it
    ...section(10, vec([tile4Body()])),
  ]);
}

// ---------------------------------------------------------------------------------------------
// The arena: one wasm memory, grown on demand, shared by every caller in this realm.

interface WasmMemoryLike { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemoryLike;
}

/** Working memory in which the wasm kernel can run, and the kernel itself. */
export interface WasmArena {
  /**
   * A Float64Array over the whole wasm memory, grown to hold at least `doubles` values; null if
   * the memory cannot grow that far. The view starts at byte 0 (offsets given to `kernel` are
   * offsets into it) and is invalidated by the next `reserve`.
   */
  reserve(doubles: number): Float64Array | null;
  /** The TileKernel; its P and C arguments must be views returned by `reserve`. */
  readonly kernel: TileKernel;
}

const PAGE_BYTES = 65536;
/** Largest memory we ask for: 2 GiB (a 16384 x 16384 matrix), well within wasm32 limits. */
const MAX_BYTES = 2 ** 31;

let arena: WasmArena | null | undefined;
let enabled = true;

function createArena(): WasmArena | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return null;
  try {
    const bytes = moduleBytes();
    if (!api.validate(bytes)) return null; // e.g. no SIMD support
    const memory = new api.Memory({ initial: 1 });
    const instance = new api.Instance(new api.Module(bytes), { e: { m: memory } });
    const tile4 = instance.exports['tile4'] as (a: number, b: number, bs: number, w: number, c: number, ldc: number, nt: number) => void;
    let view = new Float64Array(memory.buffer);
    return {
      reserve(doubles: number): Float64Array | null {
        const bytesNeeded = doubles * 8;
        if (bytesNeeded > MAX_BYTES) return null;
        const have = memory.buffer.byteLength;
        if (bytesNeeded > have) {
          try {
            memory.grow(Math.ceil((bytesNeeded - have) / PAGE_BYTES));
          } catch {
            return null;
          }
        }
        if (view.buffer !== memory.buffer || view.length * 8 !== memory.buffer.byteLength) view = new Float64Array(memory.buffer);
        return view;
      },
      kernel(_P, a, b, bStride, w, _C, c, ldc, nt) {
        if (w > 0 && nt > 0) tile4(a * 8, b * 8, bStride * 8, w, c * 8, ldc * 8, nt);
      },
    };
  } catch {
    return null;
  }
}

/** The shared arena, created on first use; null when wasm SIMD is unavailable or disabled. */
export function wasmArena(): WasmArena | null {
  if (!enabled) return null;
  if (arena === undefined) arena = createArena();
  return arena;
}

/**
 * Turns the WebAssembly kernel on or off (default on, where supported). Off, every routine uses
 * the pure-TypeScript kernel. Returns whether wasm is now in use.
 */
export function setWasmKernelEnabled(on: boolean): boolean {
  enabled = on;
  return wasmArena() !== null;
}

/** Which kernel the blocked routines use now: 'wasm-simd' or 'typescript'. */
export function linalgBackend(): 'wasm-simd' | 'typescript' {
  return wasmArena() !== null ? 'wasm-simd' : 'typescript';
}

/**
 * Drops the wasm memory (it cannot shrink; after a factorisation of size n it holds about
 * 8 n² bytes). The next blocked call creates a fresh, small one.
 */
export function releaseWasmArena(): void {
  arena = undefined;
}
