/**
 * A prior on a positive hyperparameter (lengthscale, outputscale, noise variance), evaluated on
 * the value itself, not on its logarithm — the GPyTorch convention: MAP fitting adds
 * `log p(value)` with no change-of-variables Jacobian.
 */
export interface Prior {
  /** Human-readable description, e.g. `Gamma(3, 6)`. */
  readonly description: string;
  /** `log p(x)` for `x > 0`; `-Infinity` outside the support (`x <= 0` or `x = +Infinity`), NaN for NaN. */
  logProb(x: number): number;
  /** `d log p(x) / dx` for finite `x > 0`; NaN elsewhere (an optimiser treats that as a failed step). */
  gradLogProb(x: number): number;
  /** The mode, used as a starting point for fitting. */
  mode(): number;
  /**
   * A draw, for random restarts. `uniform` returns independent uniforms on [0, 1) — `Math.random`
   * or a seeded generator; a draw may consume any number of them (rejection samplers do).
   */
  sample(uniform: () => number): number;
}
