/**
 * A synthetic benchmark problem, minimised, with BoTorch's definitions, bounds and optimal value.
 */
export interface TestFunction {
  readonly name: string;
  readonly dim: number;
  /** `[lower, upper]` per dimension. */
  readonly bounds: readonly (readonly [number, number])[];
  /** The known minimum. */
  readonly optimalValue: number;
  /** The noise-free value at x (length dim, in the function's own bounds). */
  evaluate(x: ArrayLike<number>): number;
}

/** Maps a point of the unit cube into the function's bounds and evaluates it. */
export function evaluateUnit(fn: TestFunction, u: ArrayLike<number>): number {
  const x = new Float64Array(fn.dim);
  for (let j = 0; j < fn.dim; j++) {
    const [lo, hi] = fn.bounds[j]!;
    x[j] = lo + (hi - lo) * u[j]!;
  }
  return fn.evaluate(x);
}
