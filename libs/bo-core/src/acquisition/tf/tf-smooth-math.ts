/**
 * The smooth reductions of the log-improvement acquisition functions as tf ops, the same
 * formulas as the float64 `smooth-math.ts` (values only: raw scoring needs no gradient).
 */
import type { Tensor, TfCore } from './tf-core.js';

const FAT_ALPHA = 0.1;

/**
 * `log fatplus(x) - log tau` at `t = x / tau`, elementwise, where
 * `fatplus(x) = tau (softplus(x / tau) + 0.1 / (1 + (x / tau)^2))`. The constant `log tau` is left
 * out: it passes unchanged through fatmax and logmeanexp, so the caller adds it once at the end.
 * `softplus(t) = relu(t) + log1p(exp(-|t|))`: stable, and several times faster than the wasm
 * backend's own Softplus kernel.
 */
export function logFatplusScaled(tf: TfCore, t: Tensor): Tensor {
  const softplus = tf.add(tf.relu(t), tf.log1p(tf.exp(tf.neg(tf.abs(t)))));
  return tf.log(tf.add(softplus, tf.div(FAT_ALPHA, tf.add(tf.square(t), 1))));
}

/**
 * Fat-tailed smooth maximum along `axis` (which is removed):
 * `M + tau log sum_j 1 / (1 + ((x_j - M) / tau)^2)`, `M = max_j x_j` — exactly x for a single
 * entry, where the sum is 1.
 */
export function fatmax(tf: TfCore, x: Tensor, axis: number, tau: number): Tensor {
  if (x.shape[axis] === 1) return tf.squeeze(x, [axis]);
  const M = tf.max(x, axis, true);
  const y = tf.mul(tf.sub(x, M), 1 / tau);
  const sum = tf.sum(tf.reciprocal(tf.add(tf.square(y), 1)), axis);
  return tf.add(tf.squeeze(M, [axis]), tf.mul(tf.log(sum), tau));
}

/** `log mean exp(x)` along `axis` (which is removed), stable (shifted by the maximum). */
export function logMeanExp(tf: TfCore, x: Tensor, axis: number): Tensor {
  const size = x.shape[axis]!;
  const M = tf.max(x, axis, true);
  const sum = tf.sum(tf.exp(tf.sub(x, M)), axis);
  return tf.add(tf.squeeze(M, [axis]), tf.log(tf.div(sum, size)));
}
