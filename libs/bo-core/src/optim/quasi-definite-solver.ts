/**
 * Solves systems with a 2k × 2k symmetric quasi-definite matrix
 *
 *     N = [ −E  Fᵀ ]      E (k × k) symmetric positive definite,
 *         [  F  G  ]      G (k × k) symmetric positive semidefinite,
 *
 * the form of both middle matrices of L-BFGS-B (`K` of the compact representation and its
 * free-variable counterpart `K − ŴᵀŴ/θ`). Block elimination gives
 *
 *     N [u₁; u₂] = [v₁; v₂]  ⇔  T u₂ = v₂ + F E⁻¹ v₁,   u₁ = E⁻¹ (Fᵀ u₂ − v₁),
 *     T = G + F E⁻¹ Fᵀ   (symmetric positive definite),
 *
 * so two Cholesky factorisations (of E and T) suffice, as in L-BFGS-B's `formk`. Unlike pivoted LU with
 * a threshold relative to the largest entry, this is insensitive to the wildly different scales of
 * old and new correction pairs.
 */
export interface QuasiDefiniteFactor {
  readonly k: number;
  /** Lower Cholesky factor of E (row-major k × k). */
  readonly cholE: Float64Array;
  /** E⁻¹ Fᵀ (row-major k × k). */
  readonly eInvFt: Float64Array;
  /** F (row-major k × k). */
  readonly f: Float64Array;
  /** Lower Cholesky factor of T (row-major k × k). */
  readonly cholT: Float64Array;
}

/**
 * Factorises N given in full (row-major 2k × 2k): E = −N[0:k, 0:k], F = N[k:2k, 0:k],
 * G = N[k:2k, k:2k]. Returns null when E or T is not numerically positive definite: a Cholesky
 * pivot that is not finite or is ≤ `relPivotTolerance` times its diagonal entry (a test that does
 * not depend on how rows and columns are scaled).
 *
 * @param relPivotTolerance @defaultValue 1e-14
 */
export function factorQuasiDefinite(n: Float64Array, k: number, relPivotTolerance = 1e-14): QuasiDefiniteFactor | null {
  const size = 2 * k;
  const e = new Float64Array(k * k);
  const f = new Float64Array(k * k);
  const g = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      e[i * k + j] = -n[i * size + j]!;
      f[i * k + j] = n[(k + i) * size + j]!;
      g[i * k + j] = n[(k + i) * size + (k + j)]!;
    }
  }
  const cholE = cholesky(e, k, relPivotTolerance);
  if (cholE === null) return null;
  // E⁻¹ Fᵀ, column by column: column j is E⁻¹ (row j of F).
  const eInvFt = new Float64Array(k * k);
  const col = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < k; i++) col[i] = f[j * k + i]!;
    const sol = choleskySolve(cholE, k, col);
    for (let i = 0; i < k; i++) eInvFt[i * k + j] = sol[i]!;
  }
  const t = g;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += f[i * k + p]! * eInvFt[p * k + j]!;
      t[i * k + j] = t[i * k + j]! + s;
    }
  }
  // Symmetrise T against rounding.
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const avg = 0.5 * (t[i * k + j]! + t[j * k + i]!);
      t[i * k + j] = avg;
      t[j * k + i] = avg;
    }
  }
  const cholT = cholesky(t, k, relPivotTolerance);
  if (cholT === null) return null;
  return { k, cholE, eInvFt, f, cholT };
}

/** Solves `N u = v` (length 2k) from {@link factorQuasiDefinite}'s output; returns a new array. */
export function solveQuasiDefinite(fac: QuasiDefiniteFactor, v: ArrayLike<number>): Float64Array {
  const { k, cholE, eInvFt, f, cholT } = fac;
  const v1 = new Float64Array(k);
  const rhs = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    v1[i] = v[i]!;
    rhs[i] = v[k + i]!;
  }
  const w = choleskySolve(cholE, k, v1); // E⁻¹ v₁
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += f[i * k + p]! * w[p]!;
    rhs[i] = rhs[i]! + s;
  }
  const u2 = choleskySolve(cholT, k, rhs);
  const u = new Float64Array(2 * k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += eInvFt[i * k + p]! * u2[p]!;
    u[i] = s - w[i]!;
    u[k + i] = u2[i]!;
  }
  return u;
}

/** Lower Cholesky factor of a symmetric k × k matrix, or null (see {@link factorQuasiDefinite}). */
function cholesky(a: Float64Array, k: number, relPivotTolerance: number): Float64Array | null {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= l[j * k + p]! * l[j * k + p]!;
    if (!(Number.isFinite(d) && d > relPivotTolerance * Math.abs(a[j * k + j]!))) return null;
    const root = Math.sqrt(d);
    l[j * k + j] = root;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= l[i * k + p]! * l[j * k + p]!;
      l[i * k + j] = s / root;
    }
  }
  return l;
}

/** Solves `L Lᵀ x = b` for a lower Cholesky factor L. */
function choleskySolve(l: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= l[i * k + p]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let p = i + 1; p < k; p++) s -= l[p * k + i]! * x[p]!;
    x[i] = s / l[i * k + i]!;
  }
  return x;
}
