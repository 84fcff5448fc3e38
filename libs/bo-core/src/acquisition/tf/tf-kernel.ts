import { UnsupportedError } from '../../errors/errors.js';
import type { Kernel } from '../../kernels/kernel.js';
import { MaternKernel } from '../../kernels/matern-kernel.js';
import { RBFKernel } from '../../kernels/rbf-kernel.js';
import { ScaleKernel } from '../../kernels/scale-kernel.js';
import type { Tensor, Tensor2D, Tensor3D, TfCore } from './tf-core.js';

/** The stationary profiles the float32 path implements. */
export type TfKernelKind = 'matern52' | 'rbf';

/**
 * A kernel reduced to float64 constants for the float32 path: `k(x, x') = s * kappa(r^2)`,
 * `r^2 = sum_j ((x_j - x'_j) * inverseLengthscales_j)^2`. Inputs are scaled by the inverse
 * lengthscales on the float64 side, so tensors only ever hold scaled coordinates.
 */
export interface TfKernelSpec {
  readonly kind: TfKernelKind;
  /** s (1 for a bare base kernel). */
  readonly outputscale: number;
  /** length d (a shared lengthscale is repeated). */
  readonly inverseLengthscales: Float64Array;
}

/**
 * Reads a kernel the float32 path supports: Matérn-5/2 or RBF (ARD or shared lengthscale), bare
 * or inside one ScaleKernel — what the SingleTaskGP presets build.
 *
 * @throws UnsupportedError for anything else (sums, products, Matérn 1/2 or 3/2, nested scales),
 *   so that callers fall back to the float64 acquisition.
 */
export function tfKernelSpec(kernel: Kernel): TfKernelSpec {
  let outputscale = 1;
  let base = kernel;
  if (kernel instanceof ScaleKernel) {
    outputscale = kernel.outputscale;
    base = kernel.base;
  }
  let kind: TfKernelKind;
  if (base instanceof MaternKernel && base.nu === 2.5) kind = 'matern52';
  else if (base instanceof RBFKernel) kind = 'rbf';
  else {
    const name = base instanceof MaternKernel ? `MaternKernel(nu = ${base.nu})` : base.constructor.name;
    throw new UnsupportedError(
      `the float32 scorer supports Matérn-5/2 or RBF kernels, optionally in one ScaleKernel; got ${kernel === base ? name : `ScaleKernel(${name})`}. Use the float64 acquisition.`,
    );
  }
  const ls = base.lengthscales();
  const inverseLengthscales = Float64Array.from({ length: base.dim }, (_, j) => 1 / (ls.length === 1 ? ls[0]! : ls[j]!));
  return { kind, outputscale, inverseLengthscales };
}

/**
 * `s * kappa(r^2)` elementwise, any shape.
 *
 * @param differentiable for Matérn, take `r = sqrt(r^2)` so that its gradient is 0, not Inf or
 *   NaN, where `r^2 = 0` (two more ops; the values are the same). The true derivative of r^2
 *   with respect to the points is 0 there, so the chained gradient is right.
 */
export function profile(tf: TfCore, spec: TfKernelSpec, r2: Tensor, differentiable = false): Tensor {
  const s = spec.outputscale;
  if (spec.kind === 'rbf') return tf.mul(tf.exp(tf.mul(r2, -0.5)), s);
  // Matérn 5/2: (1 + a + a^2 / 3) exp(-a), a = sqrt(5) r, a^2 / 3 = (5 / 3) r^2.
  const r = differentiable ? safeSqrt(tf, r2) : tf.sqrt(r2);
  const a = tf.mul(r, Math.sqrt(5));
  return tf.mul(tf.mul(tf.add(tf.add(a, 1), tf.mul(r2, 5 / 3)), tf.exp(tf.neg(a))), s);
}

/**
 * Cross-covariance `K(A, B)`: `m x n`, by `r^2 = |a|^2 + |b|^2 - 2 a.b` (one matmul; clamped at 0).
 * Centre the scaled coordinates first: the expansion loses about `2^-24 (|a|^2 + |b|^2)` to
 * cancellation.
 *
 * @param A `m x d` scaled coordinates.
 * @param BT `d x n`: the transposed scaled coordinates of B (a constant, stored transposed).
 * @param bNorms `1 x n` squared norms of B's rows.
 */
export function crossCovariance(tf: TfCore, spec: TfKernelSpec, A: Tensor2D, BT: Tensor2D, bNorms: Tensor2D, differentiable = false): Tensor2D {
  const aNorms = tf.sum(tf.square(A), 1, true); // m x 1
  const r2 = tf.relu(tf.sub(tf.add(aNorms, bNorms), tf.mul(tf.matMul(A, BT), 2)));
  return profile(tf, spec, r2, differentiable) as Tensor2D;
}

/**
 * The covariance blocks `K(Z_t, Z_t)` of a t-batch: `b x q x q`, from direct differences (exact
 * zeros on the diagonal, where the posterior variance is a small difference of large numbers).
 *
 * @param Z `b x q x d` scaled coordinates.
 */
export function blockCovariance(tf: TfCore, spec: TfKernelSpec, Z: Tensor3D, differentiable = false): Tensor3D {
  const [b, q, d] = Z.shape;
  const diff = tf.sub(tf.reshape(Z, [b, q, 1, d]), tf.reshape(Z, [b, 1, q, d]));
  return profile(tf, spec, tf.sum(tf.square(diff), 3), differentiable) as Tensor3D;
}

/** `sqrt(x)` for x >= 0, with gradient 0 (not Inf) at 0: `sqrt(max(x, tiny)) · sign(x)`. */
function safeSqrt(tf: TfCore, x: Tensor): Tensor {
  return tf.mul(tf.sqrt(tf.maximum(x, 1e-30)), tf.sign(x));
}
