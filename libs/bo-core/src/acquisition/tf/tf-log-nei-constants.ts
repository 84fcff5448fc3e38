/**
 * The float64 side of the float32 qLogNEI scorer: everything that does not depend on the
 * candidates, computed once in float64 (the GP linear algebra stays float64) and then rounded to
 * float32 for upload.
 */
import { UnsupportedError } from '../../errors/errors.js';
import { identity, type Matrix } from '../../linalg/matrix.js';
import { solveLowerMatrix } from '../../linalg/triangular.js';
import { smallCholesky } from '../../linalg/small-cholesky.js';
import type { SingleTaskGP } from '../../models/single-task-gp.js';
import { tfKernelSpec, type TfKernelSpec } from './tf-kernel.js';

/**
 * Model and baseline constants (n training points, e baseline points, d dimensions). Model units
 * throughout: the outcome transform's affine map is applied at the very end, and its offset
 * cancels in the improvement.
 */
export interface ScorerConstants {
  readonly n: number;
  readonly e: number;
  readonly d: number;
  readonly spec: TfKernelSpec;
  /** length d: the mean of the scaled training inputs, subtracted from every scaled point. */
  readonly center: Float64Array;
  /** `n x d`: training inputs in model space, scaled by the inverse lengthscales and centred. */
  readonly trainZ: Float32Array;
  /** length n: `(K + noise)^-1 (z - c)`. */
  readonly alpha: Float32Array;
  /** The constant mean c. */
  readonly meanConstant: number;
  /** `n x n`: `L^-1`, L the Cholesky factor of `K + noise` (row-major). */
  readonly lInverse: Float32Array;
  /** `e x d`: baseline points, scaled and centred. */
  readonly baselineZ: Float32Array;
  /** `n x e`: `V_B = L^-1 K(X_train, B)`. */
  readonly baselineV: Float32Array;
  /** `e`: latent posterior mean at the baseline (float64). */
  readonly baselineMean: Float64Array;
  /** `e x e`: lower Cholesky factor `L_B` of the latent posterior covariance at the baseline (float64). */
  readonly baselineFactor: Float64Array;
  /** `e x e`: `L_B^-T`. */
  readonly baselineFactorInverseT: Float32Array;
  /** Jitter `smallCholesky` added to the baseline block (also added to each conditional block). */
  readonly jitter: number;
  /** The outcome transform's scale: `y = offset + scale * f` (1 without a transform). */
  readonly outcomeScale: number;
}

/**
 * @param model a fitted SingleTaskGP (Matérn-5/2 or RBF kernel, affine outcome transform).
 * @param baseline `e x d` baseline points in the user's input space (already pruned), e >= 1.
 * @throws UnsupportedError for a kernel or outcome transform the float32 path does not implement.
 */
export function scorerConstants(model: SingleTaskGP, baseline: Float64Array): ScorerConstants {
  const spec = tfKernelSpec(model.kernel);
  const ot = model.outcomeTransform;
  if (ot && !ot.isAffine) throw new UnsupportedError(`the float32 scorer needs an affine outcome transform; ${ot.name} is not. Use the float64 acquisition.`);
  const outcomeScale = ot ? ot.affineScale() : 1;
  const { L, alpha } = model.factorisation();
  const n = model.numTrain;
  const d = model.dim;
  const e = baseline.length / d;
  const inv = spec.inverseLengthscales;
  const center = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) center[j]! += (model.modelX.data[i * d + j]! * inv[j]!) / n;
  const B = toModelSpace(model, baseline, e);
  const KnB = model.kernel.covariance(model.modelX, B); // n x e
  const VB = solveLowerMatrix(L, KnB);
  const KBB = model.kernel.covariance(B, B);
  const CBB = new Float64Array(e * e);
  for (let j = 0; j < e; j++) {
    for (let k = 0; k <= j; k++) {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += VB.data[i * e + j]! * VB.data[i * e + k]!;
      CBB[j * e + k] = CBB[k * e + j] = KBB.data[j * e + k]! - acc;
    }
  }
  const baselineMean = new Float64Array(e).fill(model.mean);
  for (let i = 0; i < n; i++) for (let j = 0; j < e; j++) baselineMean[j]! += KnB.data[i * e + j]! * alpha[i]!;
  const baselineFactor = new Float64Array(e * e);
  const jitter = smallCholesky(CBB, e, baselineFactor);
  const LBinv = solveLowerMatrix({ rows: e, cols: e, data: baselineFactor }, identity(e)).data;
  const baselineFactorInverseT = new Float32Array(e * e);
  for (let j = 0; j < e; j++) for (let k = 0; k < e; k++) baselineFactorInverseT[j * e + k] = LBinv[k * e + j]!;
  return {
    n,
    e,
    d,
    spec,
    center,
    trainZ: scaleAndCenter(model.modelX.data, n, d, inv, center),
    alpha: Float32Array.from(alpha),
    meanConstant: model.mean,
    lInverse: Float32Array.from(solveLowerMatrix(L, identity(n)).data),
    baselineZ: scaleAndCenter(B.data, e, d, inv, center),
    baselineV: Float32Array.from(VB.data),
    baselineMean,
    baselineFactor,
    baselineFactorInverseT,
    jitter,
    outcomeScale,
  };
}

/** `rows x d` user-space points → model space (the model's input transform). */
export function toModelSpace(model: SingleTaskGP, points: Float64Array, rows: number): Matrix {
  const X: Matrix = { rows, cols: model.dim, data: points };
  return model.inputTransform ? model.inputTransform.transform(X) : X;
}

/** `(z_ij * inv_j) - center_j`, rounded to float32: `rows x d`. */
export function scaleAndCenter(Z: Float64Array, rows: number, d: number, inv: Float64Array, center: Float64Array): Float32Array {
  const out = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = Z[i * d + j]! * inv[j]! - center[j]!;
  return out;
}

/** Constants of one joint size `m = e + q'` (the base samples depend on m). */
export interface SampleConstants {
  /**
   * `s x (2 + e + q')`, row i: `[1, -sign * incumbent_i, z_B,i, z_X,i]` — the base samples with
   * the baseline (e) and candidate (q') columns, behind a column of ones (the mean) and the
   * negated, signed incumbent. The incumbent is `max_j sign * f_B,ij` in model units with
   * `f_B = mu_B + L_B z_B` (float64): the baseline comes first in the joint factorisation, so its
   * samples do not depend on the candidates.
   */
  readonly mixT: Float32Array;
}

/**
 * @param z `s x m` standard-normal base samples (the float64 acquisition's, for the same m and seed).
 * @param qPrime candidate columns q' = m - e.
 * @param sign +1 to maximise, -1 to minimise.
 */
export function sampleConstants(c: ScorerConstants, z: Float64Array, s: number, qPrime: number, sign: number): SampleConstants {
  const { e, baselineMean: mu, baselineFactor: LB } = c;
  const m = e + qPrime;
  const k = 2 + m;
  const mixT = new Float32Array(s * k);
  for (let i = 0; i < s; i++) {
    let best = -Infinity;
    for (let j = 0; j < e; j++) {
      let f = mu[j]!;
      for (let l = 0; l <= j; l++) f += LB[j * e + l]! * z[i * m + l]!;
      best = Math.max(best, sign * f);
    }
    mixT[i * k] = 1;
    mixT[i * k + 1] = -sign * best;
    for (let j = 0; j < m; j++) mixT[i * k + 2 + j] = z[i * m + j]!;
  }
  return { mixT };
}
