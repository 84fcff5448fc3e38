import { projectInPlace } from './box.js';
import { dot } from './lbfgs-memory.js';
import type { TrackedObjective } from './tracked-objective.js';

/** Sufficient-decrease constant c₁ (`ftol` of L-BFGS-B / SciPy). */
export const LINE_SEARCH_FTOL = 1e-3;
/** Curvature constant c₂ (`gtol` of L-BFGS-B / SciPy). */
export const LINE_SEARCH_GTOL = 0.9;
/** Objective evaluations allowed per line search (as in L-BFGS-B). */
export const LINE_SEARCH_MAX_TRIALS = 20;

/** An accepted point on the line `x + α d`. */
export interface LineSearchPoint {
  readonly alpha: number;
  readonly x: Float64Array;
  readonly f: number;
  readonly g: Float64Array;
  /** `φ′(α) = g(x + α d)ᵀ d`. */
  readonly dphi: number;
}

/**
 * - `wolfe`: the strong Wolfe conditions hold at `point`;
 * - `decrease`: only sufficient decrease holds (maximal step reached, trials used up or bracket
 *   collapsed): still an acceptable step;
 * - `failed`: no point with sufficient decrease was found (`point` is null);
 * - `budget`: the evaluation budget ran out; `point`, when not null, has sufficient decrease.
 */
export interface LineSearchResult {
  readonly status: 'wolfe' | 'decrease' | 'failed' | 'budget';
  readonly point: LineSearchPoint | null;
}

interface Bracket {
  readonly alpha: number;
  readonly f: number;
  readonly dphi: number;
  readonly finite: boolean;
}

/**
 * A strong-Wolfe line search on `φ(α) = f(x + α d)`, `0 < α ≤ αmax` (Nocedal & Wright, Algorithms 3.5
 * and 3.6, with safeguarded cubic interpolation as in Moré & Thuente). Accepts α when
 *
 *     φ(α) ≤ φ(0) + c₁ α φ′(0)   and   |φ′(α)| ≤ c₂ |φ′(0)|,
 *
 * with c₁ = {@link LINE_SEARCH_FTOL}, c₂ = {@link LINE_SEARCH_GTOL}. It keeps `lo`, the lowest point with
 * sufficient decrease (initially α = 0), and, once known, `hi`, the other end of an interval that
 * contains an acceptable step. Without `hi` it extrapolates: the cubic step clamped to
 * `[lo + 1.1 Δ, lo + 4 Δ]`, Δ the last increase, and never beyond αmax, where a step with
 * sufficient decrease is accepted. With `hi` it interpolates: the cubic (else quadratic, else
 * midpoint) minimiser, kept at least 10 % of the interval away from either end.
 *
 * A trial where f or the gradient is not finite counts as a step too far: it becomes `hi`, and
 * the next trial retreats to `lo + 0.2 (hi − lo)` (`lo + 0.5 (hi − lo)` once `lo > 0`).
 * Trial points are clamped into the box against rounding.
 *
 * @param d a descent direction: `φ′(0) = g0ᵀd < 0`.
 */
export function strongWolfeLineSearch(
  objective: TrackedObjective,
  x: Float64Array,
  f0: number,
  g0: Float64Array,
  d: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  alphaInitial: number,
  alphaMax: number,
): LineSearchResult {
  const dphi0 = dot(g0, d);
  const start: LineSearchPoint = { alpha: 0, x, f: f0, g: g0, dphi: dphi0 };
  let lo = start;
  let prevLo = start;
  let hi: Bracket | null = null;
  let alpha = Math.min(alphaInitial, alphaMax);
  const settle = (): LineSearchResult =>
    lo.alpha > 0 ? { status: 'decrease', point: lo } : { status: 'failed', point: null };

  for (let trial = 0; ; trial++) {
    if (objective.exhausted) return { status: 'budget', point: lo.alpha > 0 ? lo : null };
    if (trial >= LINE_SEARCH_MAX_TRIALS) return settle();
    const xt = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xt[i] = x[i]! + alpha * d[i]!;
    projectInPlace(xt, lower, upper);
    const e = objective.evaluate(xt);
    if (!e.finite) {
      hi = { alpha, f: NaN, dphi: NaN, finite: false };
    } else {
      const dphi = dot(e.g, d);
      if (e.f > f0 + LINE_SEARCH_FTOL * alpha * dphi0 || e.f >= lo.f) {
        hi = { alpha, f: e.f, dphi, finite: true };
      } else {
        const point: LineSearchPoint = { alpha, x: xt, f: e.f, g: e.g, dphi };
        if (Math.abs(dphi) <= -LINE_SEARCH_GTOL * dphi0) return { status: 'wolfe', point };
        // The new lo; the old lo becomes hi when the slope at the new point points back at it.
        const towardHi = hi === null ? 1 : hi.alpha - lo.alpha;
        if (dphi * towardHi >= 0) hi = { alpha: lo.alpha, f: lo.f, dphi: lo.dphi, finite: true };
        prevLo = lo;
        lo = point;
      }
    }

    if (hi === null) {
      if (lo.alpha >= alphaMax) return settle();
      alpha = Math.min(alphaMax, extrapolate(prevLo, lo));
      continue;
    }
    const width = Math.abs(hi.alpha - lo.alpha);
    if (width <= 4 * Number.EPSILON * Math.max(hi.alpha, lo.alpha)) return settle();
    if (!hi.finite) {
      alpha = lo.alpha + (lo.alpha === 0 ? 0.2 : 0.5) * (hi.alpha - lo.alpha);
    } else {
      alpha = interpolate(lo, hi);
    }
  }
}

/** Next step beyond `b` from the points `a < b` (both with sufficient decrease). */
function extrapolate(a: LineSearchPoint, b: LineSearchPoint): number {
  const delta = b.alpha - a.alpha;
  const low = b.alpha + 1.1 * delta;
  const high = b.alpha + 4 * delta;
  const m = cubicMinimizer(a.alpha, a.f, a.dphi, b.alpha, b.f, b.dphi);
  if (m === null || !(m > b.alpha)) return high;
  return Math.min(high, Math.max(low, m));
}

/** A trial inside the bracket `(lo, hi)`, at least 10 % of its width from either end. */
function interpolate(lo: Bracket | LineSearchPoint, hi: Bracket): number {
  const left = Math.min(lo.alpha, hi.alpha);
  const right = Math.max(lo.alpha, hi.alpha);
  const margin = 0.1 * (right - left);
  let m = cubicMinimizer(lo.alpha, lo.f, lo.dphi, hi.alpha, hi.f, hi.dphi);
  if (m === null) m = quadraticMinimizer(lo.alpha, lo.f, lo.dphi, hi.alpha, hi.f);
  if (m === null) m = 0.5 * (left + right);
  return Math.min(right - margin, Math.max(left + margin, m));
}

/**
 * Minimiser of the cubic through `(a, fa)`, `(b, fb)` with slopes `da`, `db` (Nocedal & Wright 3.59):
 *
 *     d₁ = da + db − 3 (fa − fb)/(a − b),   d₂ = sign(b − a) √(d₁² − da db),
 *     m = b − (b − a) (db + d₂ − d₁) / (db − da + 2 d₂);
 *
 * null when the cubic has no local minimum (negative discriminant) or the formula breaks down.
 */
export function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number | null {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return null;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const denom = db - da + 2 * d2;
  if (denom === 0) return null;
  const m = b - ((b - a) * (db + d2 - d1)) / denom;
  return Number.isFinite(m) ? m : null;
}

/** Minimiser of the quadratic through `(a, fa)` with slope `da` and `(b, fb)`; null if not convex. */
function quadraticMinimizer(a: number, fa: number, da: number, b: number, fb: number): number | null {
  const h = b - a;
  const curvature = fb - fa - da * h; // = c h² for q(t) = fa + da (t − a) + c (t − a)²
  if (!(curvature > 0)) return null;
  const m = a - (da * h * h) / (2 * curvature);
  return Number.isFinite(m) ? m : null;
}
