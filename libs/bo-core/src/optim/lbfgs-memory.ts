import { factorQuasiDefinite, solveQuasiDefinite, type QuasiDefiniteFactor } from './quasi-definite-solver.js';

/**
 * The limited-memory BFGS matrix in compact form (Byrd, Nocedal & Schnabel 1994), from the last k ≤ m
 * correction pairs `s_i = x_{i+1} − x_i`, `y_i = g_{i+1} − g_i` (oldest first):
 *
 *     B = θ I − W M Wᵀ,   W = [Y  θS]  (n × 2k),   M = K⁻¹,
 *     K = [ −D   Lᵀ  ]
 *         [  L  θSᵀS ]   (2k × 2k),
 *
 * with `D = diag(s_iᵀ y_i)`, `L_ij = s_iᵀ y_j` for `i > j` (the strictly lower triangle of SᵀY), and
 * `θ = y_kᵀ y_k / s_kᵀ y_k` from the newest pair (θ = 1 with no pairs: B = I). B equals the matrix
 * obtained by k BFGS updates of `θ I`.
 *
 * K is quasi-definite (−D ≺ 0, θSᵀS ⪰ 0) and kept factorised by {@link factorQuasiDefinite};
 * `M v` is computed as the solution of `K u = v`.
 */
export class LbfgsMemory {
  /** Correction pairs kept (oldest first). */
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private thetaValue = 1;
  private factor: QuasiDefiniteFactor | null = null;
  private middle: Float64Array = new Float64Array(0);

  /**
   * @param n number of variables.
   * @param capacity m, the number of pairs kept.
   */
  constructor(
    readonly n: number,
    readonly capacity: number,
  ) {}

  /** k, the number of stored pairs. */
  get size(): number {
    return this.s.length;
  }

  /** θ, the scaling of the identity in B. */
  get theta(): number {
    return this.thetaValue;
  }

  /** Drops every pair: B = I. */
  reset(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.thetaValue = 1;
    this.factor = null;
    this.middle = new Float64Array(0);
  }

  /**
   * Adds the pair (s, y) unless the curvature condition fails, `sᵀy ≤ ε · yᵀy` with
   * ε = machine epsilon (such a pair would make B indefinite or θ absurdly large); the oldest pair
   * is dropped when full. Refactorises K. Returns whether the pair was kept; when K becomes
   * numerically singular the memory is reset (emptied) and `false` returned.
   */
  push(s: Float64Array, y: Float64Array): boolean {
    const sy = dot(s, y);
    const yy = dot(y, y);
    if (!(sy > Number.EPSILON * yy) || !Number.isFinite(yy)) return false;
    if (this.s.length === this.capacity) {
      this.s.shift();
      this.y.shift();
    }
    this.s.push(s.slice());
    this.y.push(y.slice());
    this.thetaValue = yy / sy;
    if (!this.refactor()) {
      this.reset();
      return false;
    }
    return true;
  }

  /** Builds K and factorises it; `false` when numerically singular. */
  private refactor(): boolean {
    const k = this.s.length;
    const size = 2 * k;
    const kk = new Float64Array(size * size);
    const theta = this.thetaValue;
    for (let i = 0; i < k; i++) {
      const si = this.s[i]!;
      kk[i * size + i] = -dot(si, this.y[i]!);
      for (let j = 0; j < i; j++) {
        const lij = dot(si, this.y[j]!);
        kk[(k + i) * size + j] = lij; // L block (lower left)
        kk[j * size + (k + i)] = lij; // Lᵀ block (upper right)
      }
      for (let j = 0; j <= i; j++) {
        const v = theta * dot(si, this.s[j]!);
        kk[(k + i) * size + (k + j)] = v;
        kk[(k + j) * size + (k + i)] = v;
      }
    }
    this.middle = kk;
    this.factor = k > 0 ? factorQuasiDefinite(kk, k) : null;
    return k === 0 || this.factor !== null;
  }

  /** K itself (2k × 2k, row-major); a view, do not modify. */
  middleMatrix(): Float64Array {
    return this.middle;
  }

  /** `Wᵀ v` (length 2k): `[Yᵀ v; θ Sᵀ v]`. */
  transposeTimes(v: ArrayLike<number>): Float64Array {
    const k = this.s.length;
    const out = new Float64Array(2 * k);
    for (let i = 0; i < k; i++) {
      out[i] = dot(this.y[i]!, v);
      out[k + i] = this.thetaValue * dot(this.s[i]!, v);
    }
    return out;
  }

  /** Row `j` of W (length 2k) into `out`. */
  row(j: number, out: Float64Array): Float64Array {
    const k = this.s.length;
    for (let i = 0; i < k; i++) {
      out[i] = this.y[i]![j]!;
      out[k + i] = this.thetaValue * this.s[i]![j]!;
    }
    return out;
  }

  /** `M v = K⁻¹ v` (length 2k); zero-length with no pairs. */
  middleTimes(v: ArrayLike<number>): Float64Array {
    if (this.factor === null) return new Float64Array(0);
    return solveQuasiDefinite(this.factor, v);
  }

  /** `B v = θ v − W M Wᵀ v` (a new array): for checks and diagnostics. */
  times(v: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.thetaValue * v[i]!;
    if (this.s.length === 0) return out;
    const mwv = this.middleTimes(this.transposeTimes(v));
    const w = new Float64Array(2 * this.s.length);
    for (let i = 0; i < this.n; i++) out[i] = out[i]! - dot(this.row(i, w), mwv);
    return out;
  }
}

/** `aᵀ b` over the length of `a`. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
