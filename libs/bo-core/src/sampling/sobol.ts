import { InputDataError } from '../errors/errors.js';
import { Prng } from './prng.js';
import { JOE_KUO_D6_ROWS, JOE_KUO_MAX_DIMENSION } from './sobol-direction-numbers.js';

/** The largest dimension {@link SobolEngine} supports (the Joe–Kuo table's Property A range). */
export const SOBOL_MAX_DIMENSION = JOE_KUO_MAX_DIMENSION;

/** Bits per coordinate: points are multiples of 2⁻³², so at most 2³² distinct points. */
export const SOBOL_BITS = 32;

/** How many points one engine can produce in total (draws plus fast-forwards): 2³². */
export const SOBOL_MAX_POINTS = 2 ** SOBOL_BITS;

/** Options of {@link SobolEngine}. */
export interface SobolOptions {
  /**
   * Randomise the sequence (random linear matrix scrambling plus a random digital shift, as in
   * PyTorch's `SobolEngine(scramble=True)` used by BoTorch).
   * @defaultValue true
   */
  scramble?: boolean;
  /**
   * Seed of the scrambling randomness; any safe integer (taken modulo 2³² by {@link Prng}).
   * Ignored when `scramble` is false.
   * @defaultValue 0
   */
  seed?: number;
}

const TWO_POW_MINUS_32 = 2 ** -32;

interface PolynomialRow {
  /** s, the degree of the primitive polynomial. */
  readonly degree: number;
  /** a, the interior coefficients c_1 … c_(s−1) as the integer Σ c_k 2^(s−1−k). */
  readonly coefficients: number;
  /** m_1 … m_s, the initial direction integers. */
  readonly initial: readonly number[];
}

let parsedRows: readonly PolynomialRow[] | null = null;

/** The Joe–Kuo rows for dimensions 2 … 1111 (index d − 2), parsed and checked once. */
function joeKuoRows(): readonly PolynomialRow[] {
  if (parsedRows !== null) return parsedRows;
  const lines = JOE_KUO_D6_ROWS.trim().split('\n');
  const rows: PolynomialRow[] = [];
  for (const [i, line] of lines.entries()) {
    const fields = line.trim().split(' ').map(Number);
    const [d, s, a, ...m] = fields;
    const ok =
      d === i + 2 &&
      s !== undefined &&
      a !== undefined &&
      Number.isInteger(s) &&
      s >= 1 &&
      s < SOBOL_BITS &&
      Number.isInteger(a) &&
      a >= 0 &&
      a < 2 ** Math.max(s - 1, 0) &&
      m.length === s &&
      m.every((mk, k) => Number.isInteger(mk) && mk % 2 === 1 && mk < 2 ** (k + 1));
    if (!ok) {
      throw new Error(`Sobol direction-number table is corrupt at row ${i + 1}: "${line}"`);
    }
    rows.push({ degree: s, coefficients: a, initial: m });
  }
  if (rows.length !== JOE_KUO_MAX_DIMENSION - 1) {
    throw new Error(
      `Sobol direction-number table: expected ${JOE_KUO_MAX_DIMENSION - 1} rows, got ${rows.length}`,
    );
  }
  parsedRows = rows;
  return rows;
}

/**
 * The direction numbers V_k (k = 1 … 32) of the first `dim` Sobol dimensions as 32-bit integers,
 * V_k = m_k · 2^(32−k) (bit 31 is the digit 2⁻¹). Layout: `out[(k − 1) · dim + j]` for dimension
 * j (0-based), so the numbers of one k are contiguous.
 *
 * Dimension 1 has m_k = 1 for all k (van der Corput). For the others, k > s follows
 * V_k = V_(k−s) ⊕ (V_(k−s) ≫ s) ⊕ ⊕_{i=1}^{s−1} c_i V_(k−i), the recurrence of
 * sobol-direction-numbers.ts written in scaled form.
 */
function directionNumbers(dim: number): Uint32Array {
  const out = new Uint32Array(SOBOL_BITS * dim);
  for (let k = 0; k < SOBOL_BITS; k++) out[k * dim] = 2 ** (31 - k);
  if (dim === 1) return out;
  const rows = joeKuoRows();
  const v = new Uint32Array(SOBOL_BITS);
  for (let j = 1; j < dim; j++) {
    const row = rows[j - 1];
    if (row === undefined) throw new Error(`no Sobol direction numbers for dimension ${j + 1}`);
    const s = row.degree;
    for (let k = 0; k < s; k++) v[k] = (row.initial[k] ?? 0) * 2 ** (31 - k);
    for (let k = s; k < SOBOL_BITS; k++) {
      const back = v[k - s] ?? 0;
      let x = back ^ (back >>> s);
      for (let i = 1; i < s; i++) {
        if ((row.coefficients >>> (s - 1 - i)) & 1) x ^= v[k - i] ?? 0;
      }
      v[k] = x;
    }
    for (let k = 0; k < SOBOL_BITS; k++) out[k * dim + j] = v[k] ?? 0;
  }
  return out;
}

/** Parity (sum mod 2) of the bits of a 32-bit integer. */
function parity32(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Index of the lowest set bit of an integer 1 ≤ i < 2³². */
function trailingZeros(i: number): number {
  const low = i >>> 0;
  return 31 - Math.clz32(low & -low);
}

function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InputDataError(`${name}: expected a non-negative integer, got ${n}`);
  }
}

/**
 * A generator of the Sobol low-discrepancy sequence in [0, 1)^dim, optionally scrambled.
 *
 * Construction: dimension 1 is the van der Corput sequence; dimensions 2 … 1111 use the
 * Joe–Kuo `new-joe-kuo-6.21201` primitive polynomials and initial direction numbers (see
 * sobol-direction-numbers.ts), with 32-bit precision.
 *
 * Ordering: Gray-code order (Antonov–Saleev), as in PyTorch, SciPy and most libraries. Point i
 * (0-based) is x_i = ⊕_{k ≥ 1, bit k−1 of g(i) set} v_k with g(i) = i ⊕ ⌊i/2⌋, so consecutive
 * points differ by one direction number: x_(i+1) = x_i ⊕ v_(c+1) with c the number of trailing
 * zero bits of i + 1. Unscrambled, dimension 1 starts 0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625,
 * 0.125 and dimension 2 starts 0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625. Gray-code order
 * permutes each block of 2^k points, so the first 2^k points are the same set as in natural
 * order: in every coordinate exactly {0, 1, …, 2^k − 1} / 2^k.
 *
 * Scrambling (`scramble: true`, the default), drawn from `new Prng(seed)`:
 * 1. linear matrix scrambling: for each dimension a random 32 × 32 binary matrix L, lower
 *    triangular with unit diagonal in digit order (digit r of the output depends on digits
 *    1 … r of the input), replaces each direction number v by L·v over GF(2). The generating
 *    matrix C becomes L·C, which keeps every (t, m, s)-net property of the sequence;
 * 2. a random digital shift: a uniform 32-bit integer e per dimension XORed into every point.
 *
 * The random numbers are consumed in this order: for dimension j = 1 … dim, the 32 rows of L_j
 * (row r taken as the top r bits of one `nextUint32()`, with the diagonal bit forced to 1); then
 * one `nextUint32()` per dimension for the shifts. With scrambling the first point is the shift
 * itself, not 0. Scrambled points stay in [0, 1), and each aligned block of 2^k consecutive
 * points (indices a·2^k … (a+1)·2^k − 1) still has exactly one point in each interval
 * [i/2^k, (i+1)/2^k) of each coordinate.
 */
export class SobolEngine {
  /** The number of coordinates of each point. */
  readonly dimension: number;
  /** Whether the sequence is scrambled. */
  readonly scramble: boolean;
  /** The seed of the scrambling (recorded even when `scramble` is false). */
  readonly seed: number;
  /** v_k per dimension after scrambling, layout `[(k − 1) · dim + j]`. */
  private readonly directions: Uint32Array;
  /** The digital shift per dimension (zeros when unscrambled). */
  private readonly shift: Uint32Array;
  /** The point with index `count`, as 32-bit integers (valid while count < 2³²). */
  private readonly current: Uint32Array;
  private count = 0;

  /**
   * @param dim number of coordinates, an integer in [1, {@link SOBOL_MAX_DIMENSION}] = [1, 1111].
   * @param options scrambling switch and seed; see {@link SobolOptions}.
   * @throws InputDataError if `dim` or `seed` is out of range.
   */
  constructor(dim: number, options: SobolOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIMENSION) {
      throw new InputDataError(
        `SobolEngine: expected dimension to be an integer in [1, ${SOBOL_MAX_DIMENSION}], got ${dim}`,
      );
    }
    const scramble = options.scramble ?? true;
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw new InputDataError(`SobolEngine: expected seed to be a safe integer, got ${seed}`);
    }
    this.dimension = dim;
    this.scramble = scramble;
    this.seed = seed;
    this.directions = directionNumbers(dim);
    this.shift = new Uint32Array(dim);
    if (scramble) this.scrambleInPlace(new Prng(seed));
    this.current = Uint32Array.from(this.shift);
  }

  /** How many points have been drawn or skipped since construction or the last reset. */
  get numGenerated(): number {
    return this.count;
  }

  /**
   * The next `n` points.
   *
   * @param n number of points, a non-negative integer; the engine's total may not exceed 2³².
   * @returns a Float64Array of length n · dim, row-major: coordinate j of the i-th returned point
   *   is at `[i · dim + j]`. Every value is a multiple of 2⁻³² in [0, 1).
   * @throws InputDataError if `n` is not a non-negative integer or the total would pass 2³².
   */
  draw(n: number): Float64Array {
    checkCount('SobolEngine.draw', n);
    this.checkCapacity('draw', n);
    const dim = this.dimension;
    const out = new Float64Array(n * dim);
    const cur = this.current;
    const dirs = this.directions;
    for (let i = 0; i < n; i++) {
      const row = i * dim;
      for (let j = 0; j < dim; j++) out[row + j] = (cur[j] ?? 0) * TWO_POW_MINUS_32;
      const next = this.count + i + 1;
      if (next < SOBOL_MAX_POINTS) {
        const base = trailingZeros(next) * dim;
        for (let j = 0; j < dim; j++) cur[j] = (cur[j] ?? 0) ^ (dirs[base + j] ?? 0);
      }
    }
    this.count += n;
    return out;
  }

  /**
   * Skips `n` points: afterwards `draw(m)` returns what `draw(n)` followed by `draw(m)` would
   * have returned second. Costs O(32 · dim) whatever `n` is (the point is rebuilt from the Gray
   * code of its index).
   *
   * @param n number of points to skip, a non-negative integer; the total may not exceed 2³².
   * @returns this engine, for chaining.
   * @throws InputDataError if `n` is not a non-negative integer or the total would pass 2³².
   */
  fastForward(n: number): this {
    checkCount('SobolEngine.fastForward', n);
    this.checkCapacity('fastForward', n);
    this.count += n;
    if (this.count < SOBOL_MAX_POINTS) this.seek(this.count);
    return this;
  }

  /** Returns to the first point (same scrambling). @returns this engine, for chaining. */
  reset(): this {
    this.count = 0;
    this.current.set(this.shift);
    return this;
  }

  /** Sets `current` to the point with index i < 2³²: shift ⊕ the v_k picked by the Gray code. */
  private seek(i: number): void {
    const dim = this.dimension;
    const gray = (i ^ (i >>> 1)) >>> 0;
    const cur = this.current;
    cur.set(this.shift);
    for (let k = 0; k < SOBOL_BITS; k++) {
      if (((gray >>> k) & 1) === 0) continue;
      const base = k * dim;
      for (let j = 0; j < dim; j++) cur[j] = (cur[j] ?? 0) ^ (this.directions[base + j] ?? 0);
    }
  }

  private checkCapacity(what: string, n: number): void {
    if (this.count + n > SOBOL_MAX_POINTS) {
      throw new InputDataError(
        `SobolEngine.${what}: at most 2^32 = ${SOBOL_MAX_POINTS} points in total, ` +
          `got ${this.count} generated + ${n} requested`,
      );
    }
  }

  /** Linear matrix scrambling of the direction numbers, then the digital shift (see class doc). */
  private scrambleInPlace(prng: Prng): void {
    const dim = this.dimension;
    const rows = new Uint32Array(SOBOL_BITS);
    for (let j = 0; j < dim; j++) {
      // Row r (r = 0 is the digit 2⁻¹, i.e. bit 31) may use input digits 0 … r: bits 31 … 31 − r.
      for (let r = 0; r < SOBOL_BITS; r++) {
        const allowed = (0xffffffff << (31 - r)) >>> 0;
        const diagonal = 2 ** (31 - r);
        rows[r] = (prng.nextUint32() & allowed) | diagonal;
      }
      for (let k = 0; k < SOBOL_BITS; k++) {
        const idx = k * dim + j;
        const v = this.directions[idx] ?? 0;
        let scrambled = 0;
        for (let r = 0; r < SOBOL_BITS; r++) {
          if (parity32((rows[r] ?? 0) & v)) scrambled += 2 ** (31 - r);
        }
        this.directions[idx] = scrambled;
      }
    }
    for (let j = 0; j < dim; j++) this.shift[j] = prng.nextUint32();
  }
}
