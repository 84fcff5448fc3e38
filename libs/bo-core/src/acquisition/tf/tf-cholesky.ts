import type { Tensor, Tensor3D, TfCore } from './tf-core.js';

/**
 * Lower Cholesky factors of a batch of small symmetric blocks, `b x m x m` → `b x m x m`, with
 * tf ops on length-b vectors (one entry of every block at a time: about m^3 / 6 multiply-adds and
 * m^2 / 2 square roots or divisions, each over the whole batch). Meant for the q' x q' blocks of
 * a t-batch (q' = q + pending), where a per-block loop would cost one op per block.
 *
 * No jitter: a pivot that is not positive (a direction without variance, or float32 rounding of
 * a tiny one) is clamped to zero and its column below the diagonal set to zero, as the float64
 * `smallCholesky` does once its jitter attempts run out.
 */
export function batchedCholesky(tf: TfCore, S: Tensor3D): Tensor3D {
  const [b, m] = S.shape;
  const entries = tf.unstack(tf.reshape(S, [b, m * m]), 1);
  const L: Tensor[][] = [];
  const zero = tf.zeros([b]);
  for (let j = 0; j < m; j++) {
    const row: Tensor[] = [];
    for (let k = 0; k <= j; k++) {
      const other = k === j ? row : L[k]!;
      let sum = entries[j * m + k]!;
      for (let l = 0; l < k; l++) sum = tf.sub(sum, tf.mul(row[l]!, other[l]!));
      if (j === k) {
        row.push(tf.sqrt(tf.relu(sum)));
      } else {
        const pivot = L[k]![k]!;
        const positive = tf.greater(pivot, 0);
        // Divide by 1 where the pivot is zero, so no Inf or NaN is ever formed.
        row.push(tf.where(positive, tf.div(sum, tf.where(positive, pivot, tf.onesLike(pivot))), zero));
      }
    }
    for (let k = j + 1; k < m; k++) row.push(zero);
    L.push(row);
  }
  return tf.reshape(tf.stack(L.flat(), 1), [b, m, m]) as Tensor3D;
}
