/**
 * A prior on a positive hyperparameter (lengthscale, outputscale, noise variance), evaluated on
 * the value itself, not on its logarithm — the GPyTorch convention: MAP fitting adds
 * `log p(value)` with no change-of-variables Jacobian.
 */
export interface Prior {
  /** Human-readable description, e.g. `Gamma(3, 6)`. */
  readonly description: string;
  /** `log p(x)` for `x > 0`. */
  logProb(x: number): number;
  /** `d log p(x) / dx`. */
  gradLogProb(x: number): number;
  /** The mode, used as a starting point for fitting. */
  mode(): number;
  /** A draw, for random restarts; `u1`, `u2` are independent uniforms on (0, 1). */
  sample(u1: number, u2: number): number;
}
