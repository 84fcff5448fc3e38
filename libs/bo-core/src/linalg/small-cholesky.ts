/**
 * Cholesky factorisation of small dense blocks (q x q posterior covariances) and its reverse mode.
 * Plain loops: at these sizes the blocked kernel's set-up costs more than it saves.
 */

/**
 * Lower factor `L` of `A + jitter I` (both `m x m`, row-major), jitter escalating from 0 by
 * `1e-10 * mean diag` x 10 until the factorisation succeeds; a pivot still non-positive after eight
 * tries is set to zero (that direction has no variance). Returns the jitter used.
 */
export function smallCholesky(A: Float64Array, m: number, L: Float64Array): number {
  let scale = 0;
  for (let j = 0; j < m; j++) scale += Math.abs(A[j * m + j]!);
  scale = scale / m || 1;
  for (let attempt = 0, jitter = 0; attempt < 8; attempt++, jitter = jitter === 0 ? 1e-10 * scale : jitter * 10) {
    if (factor(A, m, L, jitter, false)) return jitter;
  }
  factor(A, m, L, 1e-3 * scale, true);
  return 1e-3 * scale;
}

function factor(A: Float64Array, m: number, L: Float64Array, jitter: number, clamp: boolean): boolean {
  for (let j = 0; j < m; j++) {
    for (let k = 0; k <= j; k++) {
      let sum = A[j * m + k]! + (j === k ? jitter : 0);
      for (let l = 0; l < k; l++) sum -= L[j * m + l]! * L[k * m + l]!;
      if (j === k) {
        if (!(sum > 0)) {
          if (!clamp) return false;
          sum = 0;
        }
        L[j * m + j] = Math.sqrt(sum);
      } else {
        const dkk = L[k * m + k]!;
        L[j * m + k] = dkk > 0 ? sum / dkk : 0;
      }
    }
    for (let k = j + 1; k < m; k++) L[j * m + k] = 0;
  }
  return true;
}

/**
 * Reverse mode of `L = chol(A)` for the lower-triangle reading of A (Murray, 2016,
 * "Differentiation of the Cholesky decomposition"): with `Lbar` the gradient of a scalar with
 * respect to the lower triangle of L,
 *
 *   P = Phi(L^T Lbar),   Abar = Phi(L^-T P L^-1)
 *
 * where `Phi` keeps the lower triangle and halves the diagonal. Abar is the gradient with respect
 * to the lower triangle of A (upper entries zero), i.e. the entries the factorisation reads.
 * Zero pivots (clamped directions) get zero gradient.
 *
 * @param L `m x m` lower factor.
 * @param Lbar `m x m` gradient with respect to L (upper triangle ignored).
 * @returns `m x m` gradient with respect to the lower triangle of A.
 */
export function smallCholeskyBackward(L: Float64Array, Lbar: Float64Array, m: number): Float64Array {
  // P = Phi(L^T Lbar): P_jk = sum_i L_ij Lbar_ik over i >= max(j, k), lower part only.
  const P = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k <= j; k++) {
      let acc = 0;
      for (let i = j; i < m; i++) acc += L[i * m + j]! * Lbar[i * m + k]!;
      P[j * m + k] = j === k ? 0.5 * acc : acc;
    }
  }
  // S = L^-T P L^-1: first Y = P L^-1 (solve Y L = P row by row), then S = L^-T Y.
  const Y = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = m - 1; c >= 0; c--) {
      let acc = P[r * m + c]!;
      for (let l = c + 1; l < m; l++) acc -= Y[r * m + l]! * L[l * m + c]!;
      const d = L[c * m + c]!;
      Y[r * m + c] = d > 0 ? acc / d : 0;
    }
  }
  const S = new Float64Array(m * m);
  for (let c = 0; c < m; c++) {
    for (let r = m - 1; r >= 0; r--) {
      let acc = Y[r * m + c]!;
      for (let l = r + 1; l < m; l++) acc -= L[l * m + r]! * S[l * m + c]!;
      const d = L[r * m + r]!;
      S[r * m + c] = d > 0 ? acc / d : 0;
    }
  }
  const out = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) out[j * m + k] = S[j * m + k]! + S[k * m + j]!;
    out[j * m + j] = S[j * m + j]!;
  }
  return out;
}
