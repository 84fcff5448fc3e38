import type { Matrix } from '../linalg/matrix.js';

/**
 * An invertible map of inputs into the space the model works in (for Normalize: the unit cube).
 * Shapes: `X` is `n x d`.
 */
export interface InputTransform {
  /** Input dimension d. */
  readonly dim: number;
  /** Maps `n x d` inputs in the user's space into model space. */
  transform(X: Matrix): Matrix;
  /** Maps `n x d` points in model space back into the user's space. */
  untransform(Z: Matrix): Matrix;
  /** `d z_j / d x_j` per dimension (diagonal, affine transforms): chains input gradients. */
  jacobianDiagonal(): Float64Array;
}
