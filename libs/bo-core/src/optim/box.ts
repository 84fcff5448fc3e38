/** Helpers for the box `[lower, upper]` (bounds may be infinite). */

/** `P(x)`: `x` clamped into the box, in place; returns `x`. */
export function projectInPlace(x: Float64Array, lower: Float64Array, upper: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]!));
  return x;
}

/**
 * The max-norm of the projected gradient, `‖P(x − g) − x‖_∞`: zero exactly at a KKT point of the
 * box-constrained problem (g_i = 0 for free variables, g_i ≥ 0 at a lower bound, g_i ≤ 0 at an
 * upper bound). The stopping measure of L-BFGS-B.
 */
export function projectedGradientNorm(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): number {
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    const moved = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! - g[i]!)) - x[i]!;
    norm = Math.max(norm, Math.abs(moved));
  }
  return norm;
}

/**
 * The largest `α ≥ 0` with `x + α d` inside the box (Infinity when no bound blocks `d`), for `x`
 * inside the box.
 */
export function maxFeasibleStep(
  x: Float64Array,
  d: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): number {
  let alpha = Infinity;
  for (let i = 0; i < x.length; i++) {
    const di = d[i]!;
    if (di > 0 && upper[i]! < Infinity) alpha = Math.min(alpha, (upper[i]! - x[i]!) / di);
    else if (di < 0 && lower[i]! > -Infinity) alpha = Math.min(alpha, (lower[i]! - x[i]!) / di);
  }
  return Math.max(alpha, 0);
}
