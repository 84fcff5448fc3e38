import { ShapeError } from '../errors/errors.js';
import type { Posterior } from './posterior.js';

/**
 * Multivariate-normal posterior over independent t-batches: mean `b x q`, covariance `b x q x q`.
 * The Cholesky factors of the `q x q` blocks are computed on the first `rsample` call and kept.
 */
export class GaussianPosterior implements Posterior {
  private factors: Float64Array | null = null;

  /**
   * @param b number of t-batches.
   * @param q points per q-batch.
   * @param mean `b x q`.
   * @param covariance `b x q x q`.
   */
  constructor(
    readonly b: number,
    readonly q: number,
    readonly mean: Float64Array,
    readonly covariance: Float64Array,
  ) {
    if (mean.length !== b * q) throw new ShapeError(`GaussianPosterior: mean has ${mean.length} values, expected b * q = ${b * q}`);
    if (covariance.length !== b * q * q) {
      throw new ShapeError(`GaussianPosterior: covariance has ${covariance.length} values, expected b * q * q = ${b * q * q}`);
    }
  }

  variance(): Float64Array {
    const { b, q } = this;
    const out = new Float64Array(b * q);
    for (let i = 0; i < b; i++) for (let j = 0; j < q; j++) out[i * q + j] = Math.max(this.covariance[i * q * q + j * q + j]!, 0);
    return out;
  }

  rsample(baseSamples: Float64Array, s: number): Float64Array {
    const { b, q } = this;
    const shared = baseSamples.length === s * q && b !== 1;
    if (!shared && baseSamples.length !== s * b * q) {
      throw new ShapeError(`rsample: base samples have ${baseSamples.length} values, expected s x b x q = ${s * b * q} or s x 1 x q = ${s * q}`);
    }
    const L = this.choleskyFactors();
    const out = new Float64Array(s * b * q);
    for (let t = 0; t < s; t++) {
      for (let i = 0; i < b; i++) {
        const zOff = shared ? t * q : (t * b + i) * q;
        const oOff = (t * b + i) * q;
        const lOff = i * q * q;
        for (let j = 0; j < q; j++) {
          let acc = this.mean[i * q + j]!;
          for (let k = 0; k <= j; k++) acc += L[lOff + j * q + k]! * baseSamples[zOff + k]!;
          out[oOff + j] = acc;
        }
      }
    }
    return out;
  }

  /**
   * Lower Cholesky factors of each q x q block. Posterior covariances are often numerically
   * singular (points near data, duplicates in a batch): a small jitter relative to the block's
   * mean variance is added, growing until the factorisation succeeds, and negative pivots left
   * after that are clamped to zero (the direction has no variance).
   */
  private choleskyFactors(): Float64Array {
    if (this.factors) return this.factors;
    const { b, q } = this;
    const L = new Float64Array(b * q * q);
    for (let i = 0; i < b; i++) {
      const off = i * q * q;
      let meanVar = 0;
      for (let j = 0; j < q; j++) meanVar += Math.abs(this.covariance[off + j * q + j]!);
      meanVar = meanVar / q || 1;
      factorBlock(this.covariance, L, off, q, meanVar);
    }
    this.factors = L;
    return L;
  }
}

function factorBlock(C: Float64Array, L: Float64Array, off: number, q: number, scale: number): void {
  for (let jitter = 0, attempt = 0; attempt < 8; attempt++, jitter = jitter === 0 ? 1e-10 * scale : jitter * 10) {
    if (tryFactor(C, L, off, q, jitter, false)) return;
  }
  tryFactor(C, L, off, q, 1e-3 * scale, true);
}

function tryFactor(C: Float64Array, L: Float64Array, off: number, q: number, jitter: number, clamp: boolean): boolean {
  for (let j = 0; j < q; j++) {
    for (let k = 0; k <= j; k++) {
      let sum = C[off + j * q + k]! + (j === k ? jitter : 0);
      for (let l = 0; l < k; l++) sum -= L[off + j * q + l]! * L[off + k * q + l]!;
      if (j === k) {
        if (!(sum > 0)) {
          if (!clamp) return false;
          sum = 0;
        }
        L[off + j * q + j] = Math.sqrt(sum);
      } else {
        const dkk = L[off + k * q + k]!;
        L[off + j * q + k] = dkk > 0 ? sum / dkk : 0;
      }
    }
    for (let k = j + 1; k < q; k++) L[off + j * q + k] = 0;
  }
  return true;
}
