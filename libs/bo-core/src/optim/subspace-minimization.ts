import type { CauchyPoint } from './cauchy-point.js';
import { factorQuasiDefinite, solveQuasiDefinite } from './quasi-definite-solver.js';
import { dot, type LbfgsMemory } from './lbfgs-memory.js';

/**
 * Subspace minimisation of L-BFGS-B, direct primal method (Byrd, Lu, Nocedal & Zhu 1995, §5.1),
 * with the projection of Morales & Nocedal (2011).
 *
 * With the variables held at bounds by the Cauchy point fixed, minimise the quadratic model over
 * the free ones (Z selects them, `z = x^c − x`):
 *
 *     r = Zᵀ(g + B z) = Zᵀ(g + θ z − W M Wᵀz)                 (reduced gradient at x^c)
 *     B̂ = ZᵀBZ = θ I − Ŵ M Ŵᵀ,  Ŵ = ZᵀW
 *     d̂ = −B̂⁻¹ r = −r/θ − Ŵ v / θ²,   (K − ŴᵀŴ/θ) v = Ŵᵀ r     (Sherman–Morrison–Woodbury).
 *
 * The step `x̄ = x^c + Z d̂` is projected onto the box; when `(P(x̄) − x)ᵀ g < 0` it is kept, otherwise
 * the step is shortened to the largest `α ≤ 1` with `x^c + α Z d̂` feasible. With no pairs in memory
 * (B = I) or no free variable, the Cauchy point is returned.
 *
 * @returns x̄, inside the box.
 */
export function subspaceMinimization(
  x: Float64Array,
  g: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
  memory: LbfgsMemory,
  cauchy: CauchyPoint,
): Float64Array {
  const { xcp, free, freeCount } = cauchy;
  const k = memory.size;
  if (k === 0 || freeCount === 0) return xcp.slice();
  const n = x.length;
  const k2 = 2 * k;
  const theta = memory.theta;
  const freeIdx: number[] = [];
  for (let i = 0; i < n; i++) if (free[i] === 1) freeIdx.push(i);

  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = xcp[i]! - x[i]!;
  const mc = memory.middleTimes(memory.transposeTimes(z));

  // Rows of Ŵ, reduced gradient r, Ŵᵀr and K − ŴᵀŴ/θ.
  const rows: Float64Array[] = [];
  const r = new Float64Array(freeIdx.length);
  const wr = new Float64Array(k2);
  const a = memory.middleMatrix().slice();
  for (let f = 0; f < freeIdx.length; f++) {
    const i = freeIdx[f]!;
    const w = memory.row(i, new Float64Array(k2));
    rows.push(w);
    const ri = g[i]! + theta * z[i]! - dot(w, mc);
    r[f] = ri;
    for (let p = 0; p < k2; p++) {
      wr[p] = wr[p]! + w[p]! * ri;
      const wp = w[p]! / theta;
      if (wp === 0) continue;
      for (let q = 0; q < k2; q++) a[p * k2 + q] = a[p * k2 + q]! - wp * w[q]!;
    }
  }
  // K − ŴᵀŴ/θ keeps K's quasi-definite form: −(D + YᵀPY/θ) ≺ 0 top left, θSᵀ(I − P)S ⪰ 0 bottom
  // right (P projects onto the free variables).
  const factor = factorQuasiDefinite(a, k);
  if (factor === null) return xcp.slice();
  const v = solveQuasiDefinite(factor, wr);
  const dhat = new Float64Array(freeIdx.length);
  for (let f = 0; f < freeIdx.length; f++) {
    dhat[f] = -r[f]! / theta - dot(rows[f]!, v) / (theta * theta);
  }

  // Projected step, kept when it is a descent direction from x.
  const xbar = xcp.slice();
  for (let f = 0; f < freeIdx.length; f++) {
    const i = freeIdx[f]!;
    xbar[i] = Math.min(upper[i]!, Math.max(lower[i]!, xcp[i]! + dhat[f]!));
  }
  let slope = 0;
  for (let i = 0; i < n; i++) slope += g[i]! * (xbar[i]! - x[i]!);
  if (slope < 0) return xbar;

  // Otherwise the longest feasible fraction of the step.
  let alpha = 1;
  for (let f = 0; f < freeIdx.length; f++) {
    const i = freeIdx[f]!;
    const di = dhat[f]!;
    if (di > 0 && upper[i]! < Infinity) alpha = Math.min(alpha, (upper[i]! - xcp[i]!) / di);
    else if (di < 0 && lower[i]! > -Infinity) alpha = Math.min(alpha, (lower[i]! - xcp[i]!) / di);
  }
  alpha = Math.max(alpha, 0);
  for (let f = 0; f < freeIdx.length; f++) {
    const i = freeIdx[f]!;
    xbar[i] = Math.min(upper[i]!, Math.max(lower[i]!, xcp[i]! + alpha * dhat[f]!));
  }
  return xbar;
}
