/**
 * One pass of the float32 qLogNEI over a block of t-batches, as tf ops on a tensor of scaled
 * points, so that the same code gives values (`TfLogNoisyExpectedImprovement.forward`) and, under
 * `tf.valueAndGrad`, gradients with respect to the points.
 */
import { batchedCholesky } from './tf-cholesky.js';
import type { Tensor1D, Tensor2D, Tensor3D, TfCore } from './tf-core.js';
import { blockCovariance, crossCovariance } from './tf-kernel.js';
import type { ScorerConstants } from './tf-log-nei-constants.js';
import { fatmax, logFatplusScaled, logMeanExp } from './tf-smooth-math.js';

/** The float32 constants of a scorer (uploaded once; shapes in the comments). */
export interface ConstantTensors {
  trainZT: Tensor2D; // d x n
  trainNorms: Tensor2D; // 1 x n
  alpha: Tensor2D; // n x 1
  lInverseT: Tensor2D; // n x n
  baselineZT: Tensor2D; // d x e
  baselineNorms: Tensor2D; // 1 x e
  baselineV: Tensor2D; // n x e
  baselineFactorInverseT: Tensor2D; // e x e
}

/** What a pass needs besides the points. */
export interface PassContext {
  readonly c: ScorerConstants;
  readonly t: ConstantTensors;
  /** `s x (2 + e + q')`: per sample `[1, -sign incumbent, z_B, z_X]` (see `sampleConstants`). */
  readonly mixT: Tensor2D;
  readonly numSamples: number;
  /** +1 to maximise, -1 to minimise. */
  readonly sign: number;
  readonly tauRelu: number;
  readonly tauMax: number;
  /** Build the graph for tf.grad (gradient-safe square roots; see `profile`). */
  readonly differentiable: boolean;
}

/**
 * qLogNEI values of `b` t-batches of `q'` points each (pending points first, then the q
 * candidates): `f_X = mu_X + A z_B + L_c z_X` per sample, then
 * `logmeanexp_s fatmax_j log fatplus(f_sj - incumbent_s)` (see TfLogNoisyExpectedImprovement).
 *
 * @param Z `b q' x d`: the points in model space, scaled by the inverse lengthscales and centred.
 * @returns length b.
 */
export function logNeiPass(tf: TfCore, ctx: PassContext, Z: Tensor2D, b: number, qPrime: number): Tensor1D {
  const { c, t } = ctx;
  const { spec, n, e, d, meanConstant, jitter, outcomeScale } = c;
  const s = ctx.numSamples;
  const Kxn = crossCovariance(tf, spec, Z, t.trainZT, t.trainNorms, ctx.differentiable); // bq' x n
  const mu = tf.add(tf.matMul(Kxn, t.alpha), meanConstant); // bq' x 1
  const VxT = tf.matMul(Kxn, t.lInverseT); // bq' x n  (= (L^-1 K_nX)^T)
  const Vx3 = tf.reshape(VxT, [b, qPrime, n]) as Tensor3D;
  const Cxx = tf.sub(blockCovariance(tf, spec, tf.reshape(Z, [b, qPrime, d]) as Tensor3D, ctx.differentiable), tf.matMul(Vx3, Vx3, false, true)); // b x q' x q'
  const Cxb = tf.sub(crossCovariance(tf, spec, Z, t.baselineZT, t.baselineNorms, ctx.differentiable), tf.matMul(VxT, t.baselineV)); // bq' x e
  const A = tf.matMul(Cxb, t.baselineFactorInverseT); // bq' x e
  const A3 = tf.reshape(A, [b, qPrime, e]) as Tensor3D;
  let cond = tf.sub(Cxx, tf.matMul(A3, A3, false, true)) as Tensor3D;
  if (jitter > 0) cond = tf.add(cond, tf.mul(tf.eye(qPrime), jitter)) as Tensor3D;
  const Lc = tf.reshape(batchedCholesky(tf, cond), [b * qPrime, qPrime]); // bq' x q'
  // t = (f - sign incumbent) * sign * outcomeScale / tauRelu, the improvement over tauRelu, for
  // every sample as one matmul: f = mu + A z_B + L_c z_X, the incumbent term through a column
  // of ones. Samples-major, `s x b x q'`, so that the reductions over q' run along the last axis.
  const cp = (ctx.sign * outcomeScale) / ctx.tauRelu;
  const left = tf.mul(tf.concat([mu, tf.ones([b * qPrime, 1]), A, Lc], 1), cp); // bq' x (2 + e + q')
  const t3 = tf.reshape(tf.matMul(ctx.mixT, tf.transpose(left)), [s, b, qPrime]);
  const perSample = fatmax(tf, logFatplusScaled(tf, t3), 2, ctx.tauMax); // s x b
  return tf.add(logMeanExp(tf, perSample, 0), Math.log(ctx.tauRelu)) as Tensor1D;
}
