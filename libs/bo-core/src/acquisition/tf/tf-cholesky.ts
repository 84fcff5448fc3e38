import type { Tensor, Tensor3D, TfCore } from './tf-core.js';

/** Divisor floor for a pivot: float32 pivots below it are zero for every practical purpose. */
const TINY_PIVOT = 1e-30;

/**
 * Lower Cholesky factors of a batch of small symmetric blocks, `b x m x m` → `b x m x m`, with
 * tf ops on length-b vectors (one entry of every block at a time: about m^3 / 6 multiply-adds and
 * m^2 / 2 square roots or divisions, each over the whole batch). Meant for the q' x q' blocks of
 * a t-batch (q' = q + pending), where a per-block loop would cost one op per block.
 *
 * Differentiable (tf.grad) wherever every pivot is positive.
 *
 * No jitter: a pivot that is not positive (a direction without variance, or float32 rounding of
 * a tiny one) is clamped to zero and its column below the diagonal set to zero, as the float64
 * `smallCholesky` does once its jitter attempts run out.
 */
export function batchedCholesky(tf: TfCore, S: Tensor3D): Tensor3D {
  const [b, m] = S.shape;
  const flat = tf.reshape(S, [b, m * m]);
  // Only the lower triangle is read, one slice per entry: tf.unstack's gradient fails when some of
  // its outputs (here the upper triangle) receive none.
  const entry = (j: number, k: number): Tensor => tf.reshape(tf.slice(flat, [0, j * m + k], [b, 1]), [b]);
  const L: Tensor[][] = [];
  const zero = tf.zeros([b]);
  for (let j = 0; j < m; j++) {
    const row: Tensor[] = [];
    for (let k = 0; k <= j; k++) {
      const other = k === j ? row : L[k]!;
      let sum = entry(j, k);
      for (let l = 0; l < k; l++) sum = tf.sub(sum, tf.mul(row[l]!, other[l]!));
      if (j === k) {
        row.push(tf.sqrt(tf.relu(sum)));
      } else {
        const pivot = L[k]![k]!;
        // sign(pivot) is 1 for a positive pivot and 0 for a zero one (pivots are never negative),
        // and the divisor is kept away from zero, so no Inf or NaN is ever formed. (Not tf.where
        // on tf.greater: the tape cannot differentiate through Greater.)
        row.push(tf.mul(tf.div(sum, tf.maximum(pivot, TINY_PIVOT)), tf.sign(pivot)));
      }
    }
    for (let k = j + 1; k < m; k++) row.push(zero);
    L.push(row);
  }
  return tf.reshape(tf.stack(L.flat(), 1), [b, m, m]) as Tensor3D;
}
