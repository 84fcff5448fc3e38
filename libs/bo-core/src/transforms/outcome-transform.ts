/**
 * The outcome-transform contract. A transform maps observed outcomes `y` (length n) to the values
 * `z = T(y)` the GP models, elementwise and strictly increasing. It carries its own parameters and
 * the log-determinant of its Jacobian, `log |dz/dy| = sum_i log T'(y_i)`, so the marginal
 * likelihood of the *original* data is `log p(z) + log |dz/dy|`. That is what lets a trainable
 * warping (sinh-arcsinh, Box-Cox, Yeo-Johnson) be fitted jointly with the kernel: its parameters
 * enter the same objective, with gradients `dz/dphi` and `d log|dz/dy| / dphi`.
 *
 * Two kinds of parameters:
 * - *statistics*, set once from the training outcomes by {@link OutcomeTransform.fit} (the mean and
 *   standard deviation of Standardize), not trained;
 * - *trainable* raw parameters, exposed as a flat vector (empty for affine transforms).
 */
export interface OutcomeTransform {
  /** e.g. `Standardize`. */
  readonly name: string;
  /** True when T is affine, so Gaussian predictions map back to Gaussians exactly. */
  readonly isAffine: boolean;
  /** Number of trainable raw parameters. */
  readonly numParameters: number;
  /** A copy of the trainable raw parameters. */
  getParameters(): Float64Array;
  /** Sets the trainable raw parameters. */
  setParameters(phi: ArrayLike<number>): void;

  /** Sets the statistics from training outcomes (length n); returns `this`. */
  fit(y: ArrayLike<number>): this;

  /**
   * `z = T(y)` and `log |dz/dy|`. With `withGradients`, also `dz/dphi` (one length-n array per
   * trainable parameter) and `d log|dz/dy| / dphi` (length numParameters).
   */
  forward(y: ArrayLike<number>, withGradients?: boolean): OutcomeForward;

  /** `y = T^-1(z)`, elementwise. */
  inverse(z: ArrayLike<number>): Float64Array;

  /**
   * Maps Gaussian marginals `N(mean_i, variance_i)` in z-space to the original space.
   * Exact moments for affine transforms; for non-affine ones, the median `T^-1(mean)` and the
   * variance of a delta-method approximation (documented by each transform).
   */
  untransformGaussian(mean: ArrayLike<number>, variance: ArrayLike<number>): { mean: Float64Array; variance: Float64Array };

  /**
   * The factor by which a covariance in z-space scales into y-space (affine transforms only):
   * `cov_y = scale^2 cov_z`. Non-affine transforms throw.
   */
  affineScale(): number;
}

export interface OutcomeForward {
  /** Transformed outcomes, length n. */
  z: Float64Array;
  /** `sum_i log T'(y_i)`. */
  logDetJacobian: number;
  /** `dz_i / dphi_k`: numParameters arrays of length n (only with gradients). */
  dzdphi?: Float64Array[];
  /** `d logDetJacobian / dphi_k`, length numParameters (only with gradients). */
  dLogDetdphi?: Float64Array;
}
