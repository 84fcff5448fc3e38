import { dot, type LbfgsMemory } from './lbfgs-memory.js';

/** The generalized Cauchy point and which variables are free there. */
export interface CauchyPoint {
  /** x^c, inside the box. */
  readonly xcp: Float64Array;
  /** `free[i] = 1` when variable i is free at x^c (not held at a bound by the path). */
  readonly free: Uint8Array;
  /** Number of free variables. */
  readonly freeCount: number;
}

/**
 * The generalized Cauchy point of L-BFGS-B (Byrd, Lu, Nocedal & Zhu 1995, §4): the first local
 * minimiser of the quadratic model `m(x + z) = f + gᵀz + ½ zᵀBz` along the projected steepest-descent
 * path `x(t) = P(x − t g)`, P the projection onto the box [l, u].
 *
 * Variable i leaves the path at its breakpoint
 *
 *     t_i = (x_i − u_i)/g_i  if g_i < 0,   (x_i − l_i)/g_i  if g_i > 0,   ∞ otherwise;
 *
 * between consecutive breakpoints the path is linear, `z(t) = z_j + Δt d` with `d_i = −g_i` on the
 * variables still moving, and the model's slope and curvature along the segment are
 *
 *     f′ = gᵀd + θ dᵀz_j − pᵀ M c,     f″ = θ dᵀd − pᵀ M p,     p = Wᵀd,  c = Wᵀz_j.
 *
 * The minimiser lies in the segment when `Δt* = −f′/f″` is shorter than the segment; otherwise the
 * variable at the breakpoint is fixed at its bound (`d_b ← 0`, `p ← p + g_b w_b`, where w_b is row b
 * of W) and the next segment is examined. A variable already at a bound with the gradient pushing
 * outward (t_i = 0), or with l_i = u_i, never moves.
 */
export function generalizedCauchyPoint(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  memory: LbfgsMemory,
): CauchyPoint {
  const n = x.length;
  const theta = memory.theta;
  const k2 = 2 * memory.size;
  const xcp = x.slice();
  const free = new Uint8Array(n);
  const t = new Float64Array(n);
  const d = new Float64Array(n);
  const breakpoints: number[] = [];
  let moving = 0;
  for (let i = 0; i < n; i++) {
    if (lower[i] === upper[i]) continue;
    const gi = g[i]!;
    let ti = Infinity;
    if (gi < 0 && upper[i]! < Infinity) ti = (x[i]! - upper[i]!) / gi;
    else if (gi > 0 && lower[i]! > -Infinity) ti = (x[i]! - lower[i]!) / gi;
    if (ti <= 0) continue; // at a bound, pushed outward: stays there
    free[i] = 1;
    t[i] = ti;
    d[i] = -gi;
    if (gi !== 0) moving++;
    if (ti < Infinity) breakpoints.push(i);
  }
  breakpoints.sort((a, b) => t[a]! - t[b]!);

  let dd = dot(d, d);
  if (moving === 0 || dd === 0) return withCount(xcp, free);
  let gd = -dd; // gᵀd
  let dz = 0; // dᵀz
  const p = memory.transposeTimes(d);
  const c = new Float64Array(k2);
  const w = new Float64Array(k2);
  let f1 = gd;
  let f2 = theta * dd - dot(p, memory.middleTimes(p));
  const f2Floor = Number.EPSILON * theta * dd;
  f2 = Math.max(f2, f2Floor);
  let dtMin = -f1 / f2;
  let tOld = 0;

  for (const b of breakpoints) {
    const dt = t[b]! - tOld;
    if (dtMin < dt) break;
    // Advance to the breakpoint.
    for (let j = 0; j < k2; j++) c[j] = c[j]! + dt * p[j]!;
    dz += dt * dd;
    tOld = t[b]!;
    // Fix variable b at its bound.
    const db = d[b]!;
    const bound = db > 0 ? upper[b]! : lower[b]!;
    const zb = bound - x[b]!;
    xcp[b] = bound;
    free[b] = 0;
    d[b] = 0;
    moving--;
    const gb = g[b]!;
    gd += gb * gb;
    dd -= gb * gb;
    dz += gb * zb;
    if (k2 > 0) {
      memory.row(b, w);
      for (let j = 0; j < k2; j++) p[j] = p[j]! + gb * w[j]!;
    }
    if (moving === 0 || dd <= 0) {
      dtMin = 0;
      break;
    }
    f1 = gd + theta * dz - (k2 > 0 ? dot(p, memory.middleTimes(c)) : 0);
    f2 = Math.max(theta * dd - (k2 > 0 ? dot(p, memory.middleTimes(p)) : 0), f2Floor);
    dtMin = -f1 / f2;
  }

  tOld += Math.max(dtMin, 0);
  for (let i = 0; i < n; i++) {
    if (d[i] === 0) continue;
    xcp[i] = Math.min(upper[i]!, Math.max(lower[i]!, x[i]! + tOld * d[i]!));
  }
  return withCount(xcp, free);
}

function withCount(xcp: Float64Array, free: Uint8Array): CauchyPoint {
  let freeCount = 0;
  for (let i = 0; i < free.length; i++) freeCount += free[i]!;
  return { xcp, free, freeCount };
}
