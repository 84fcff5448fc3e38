import type { ResolvedLinearInequality } from './optimize-acqf-options.js';

/**
 * Linear inequality constraints `a·u ≤ b`, applied to every point `u` (a row of length d) of a
 * `q x d` batch. Three tools, used by optimizeAcqf:
 *
 * - {@link pointFeasible}: the feasibility test, with tolerance `1e-9 · max(1, |b|, Σ|a_k|)`;
 * - {@link constraintPenalty}: the smooth (C¹) exterior penalty `P(X) = ρ Σ_points Σ_c max(0, a·u − b)²`
 *   and its gradient `∂P/∂u = 2ρ max(0, a·u − b) a`, added to −acq during L-BFGS-B;
 * - {@link repairTowards}: the exact repair of a slightly infeasible optimum (a penalty optimum
 *   violates active constraints by `O(‖∇acq‖ / ρ)`) by moving back along the segment to a
 *   feasible start. The feasible set (polytope ∩ box) is convex, so the segment's feasible part
 *   is an interval `[0, t*]` that contains 0, and `t*` has a closed form.
 */

function tolerance(c: ResolvedLinearInequality): number {
  let s = Math.abs(c.rhs);
  let norm = 0;
  for (let k = 0; k < c.coefficients.length; k++) norm += Math.abs(c.coefficients[k]!);
  s = Math.max(1, s, norm);
  return 1e-9 * s;
}

/** `a·u − b` for the point starting at `offset` in `X`. */
function residual(c: ResolvedLinearInequality, X: Float64Array, offset: number): number {
  let r = -c.rhs;
  for (let k = 0; k < c.indices.length; k++) r += c.coefficients[k]! * X[offset + c.indices[k]!]!;
  return r;
}

/** Whether the point at `offset` in `X` satisfies every constraint (within tolerance). */
export function pointFeasible(constraints: readonly ResolvedLinearInequality[], X: Float64Array, offset: number): boolean {
  for (const c of constraints) if (residual(c, X, offset) > tolerance(c)) return false;
  return true;
}

/** Whether every point of the `q x d` batch starting at `offset` is feasible. */
export function batchFeasible(
  constraints: readonly ResolvedLinearInequality[],
  X: Float64Array,
  q: number,
  d: number,
  offset = 0,
): boolean {
  for (let j = 0; j < q; j++) if (!pointFeasible(constraints, X, offset + j * d)) return false;
  return true;
}

/**
 * The penalty `P(X)` of a `q x d` batch with weight `rho`; its gradient (`q x d`) is *added* to
 * `grad`.
 */
export function constraintPenalty(
  constraints: readonly ResolvedLinearInequality[],
  rho: number,
  X: Float64Array,
  q: number,
  d: number,
  grad: Float64Array,
): number {
  let p = 0;
  for (let j = 0; j < q; j++) {
    for (const c of constraints) {
      const r = residual(c, X, j * d);
      if (r <= 0) continue;
      p += rho * r * r;
      for (let k = 0; k < c.indices.length; k++) {
        const at = j * d + c.indices[k]!;
        grad[at] = grad[at]! + 2 * rho * r * c.coefficients[k]!;
      }
    }
  }
  return p;
}

/**
 * `X(t) = start + t (end − start)` with the largest `t ∈ [0, 1]` for which every point satisfies
 * every constraint: with residuals `r₀ = a·u₀ − b ≤ 0` at the start and `r₁` at the end, each
 * violated constraint limits `t ≤ r₀ / (r₀ − r₁)`. Returns `end` itself when it is feasible and
 * `start` when `start` is not feasible (nothing to repair towards). Both are `q x d` batches inside
 * the box, so `X(t)` is too.
 */
export function repairTowards(
  constraints: readonly ResolvedLinearInequality[],
  start: Float64Array,
  end: Float64Array,
  q: number,
  d: number,
): Float64Array {
  let t = 1;
  for (let j = 0; j < q; j++) {
    for (const c of constraints) {
      const r0 = residual(c, start, j * d);
      const r1 = residual(c, end, j * d);
      if (r1 <= 0) continue;
      if (r0 > tolerance(c)) return start.slice();
      t = Math.min(t, r0 >= 0 ? 0 : r0 / (r0 - r1));
    }
  }
  if (t === 1) return end.slice();
  const out = new Float64Array(start.length);
  for (let i = 0; i < out.length; i++) out[i] = start[i]! + t * (end[i]! - start[i]!);
  return out;
}
