import { ShapeError } from '../errors/errors.js';

/**
 * Shapes, in BoTorch's vocabulary: a t-batch of `b` evaluations of q-batches of `q` points in `d`
 * dimensions is `b x q x d`; a posterior over it has mean `b x q` and covariance `b x q x q`
 * (one joint q x q block per t-batch; different t-batches are independent evaluations); Monte-Carlo
 * samples are `s x b x q x m` (m = 1 outcome here, so `s x b x q`). Every array is row-major in a
 * flat Float64Array.
 */

/** A `b x q x d` batch of points, row-major. */
export interface QBatch {
  readonly b: number;
  readonly q: number;
  readonly d: number;
  /** length `b * q * d`. */
  readonly data: Float64Array;
}

/** The posterior of one outcome at a `b x q x d` batch. */
export interface Posterior {
  readonly b: number;
  readonly q: number;
  /** `b x q`. */
  readonly mean: Float64Array;
  /** `b x q x q`: the joint covariance of each q-batch. */
  readonly covariance: Float64Array;
  /** `b x q`: the marginal variances (diagonals of the covariance blocks). */
  variance(): Float64Array;
  /**
   * Joint samples by the reparameterisation `f = mean + L z`, with `L` the Cholesky factor of each
   * `q x q` block and `z` the given standard-normal base samples. Fixed base samples make samples a
   * deterministic, smooth function of the inputs (QMC and common random numbers).
   *
   * @param baseSamples `s x b x q` standard normals (or `s x 1 x q`, shared across the t-batch).
   * @param s the number of samples.
   * @returns `s x b x q`.
   */
  rsample(baseSamples: Float64Array, s: number): Float64Array;
}

/** Builds a QBatch from nested arrays `b x q x d`, checking shapes. */
export function qBatch(points: readonly (readonly (readonly number[])[])[]): QBatch {
  const b = points.length;
  const q = b > 0 ? points[0]!.length : 0;
  const d = q > 0 ? points[0]![0]!.length : 0;
  const data = new Float64Array(b * q * d);
  let k = 0;
  for (let i = 0; i < b; i++) {
    const batch = points[i]!;
    if (batch.length !== q) throw new ShapeError(`qBatch: t-batch ${i} has ${batch.length} points, expected q = ${q}`);
    for (let j = 0; j < q; j++) {
      const p = batch[j]!;
      if (p.length !== d) throw new ShapeError(`qBatch: point [${i}][${j}] has ${p.length} coordinates, expected d = ${d}`);
      for (let l = 0; l < d; l++) data[k++] = p[l]!;
    }
  }
  return { b, q, d, data };
}
