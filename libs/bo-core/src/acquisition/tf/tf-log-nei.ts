import { InputDataError, ShapeError, UnsupportedError } from '../../errors/errors.js';
import type { Model } from '../../models/model.js';
import { SingleTaskGP } from '../../models/single-task-gp.js';
import type { QBatch } from '../../posteriors/posterior.js';
import { normalBaseSamples, plainMcNormalSamples } from '../../sampling/qmc-normal.js';
import { pruneInferiorPoints } from '../monte-carlo/prune-baseline.js';
import type { LogImprovementOptions } from '../monte-carlo/q-log-expected-improvement.js';
import type { NoisyImprovementOptions } from '../monte-carlo/q-noisy-expected-improvement.js';
import type { Tensor1D, Tensor2D, TfCore } from './tf-core.js';
import { sampleConstants, scaleAndCenter, scorerConstants, toModelSpace, type ScorerConstants } from './tf-log-nei-constants.js';
import { logNeiPass, type ConstantTensors, type PassContext } from './tf-log-nei-pass.js';

/** Options of {@link TfLogNoisyExpectedImprovement}: those of `qLogNoisyExpectedImprovement`, plus chunking. */
export interface TfLogNoisyExpectedImprovementOptions extends NoisyImprovementOptions, LogImprovementOptions {
  /**
   * Upper bound on the elements of the largest intermediate tensor of one pass
   * (`b' q' x max(n, s, e)`); a `b x q x d` batch is scored in passes of `b'` t-batches.
   * @defaultValue 4_194_304 (16 MiB of float32)
   */
  maxChunkElements?: number;
}

/**
 * The model and baseline constants, shared by a scorer and the scorers derived from it by
 * `withPending` (they do not depend on pending points); freed when the last of them is disposed.
 */
export interface SharedConstants {
  readonly c: ScorerConstants;
  readonly t: ConstantTensors;
  /** The pruned baseline, `e x d`. */
  readonly baseline: Float64Array;
  users: number;
}

/**
 * qLogNoisyExpectedImprovement values in float32 with TensorFlow.js, for scoring many raw
 * candidate batches at once; `forwardWithGradient` adds the gradient with respect to X by tfjs
 * autodiff. Same definition, base samples and temperatures as the float64
 * `qLogNoisyExpectedImprovement`:
 *
 *   logmeanexp_s fatmax_j log fatplus(f_sj - max_i f_s,baseline_i)
 *
 * over the joint samples of `[baseline (e), pending (p), X (q)]`. The baseline comes first in the
 * joint factorisation, so with `L = [[L_B, 0], [A, L_c]]` the samples are
 *
 *   f_B = mu_B + L_B z_B                     (fixed: float64, once per joint size)
 *   f_X = mu_X + A z_B + L_c z_X,   A = C_XB L_B^-T,   L_c = chol(C_XX - A A^T)
 *
 * which is the conditional of the candidates on the fixed baseline samples: per t-batch only the
 * `q' x q'` block (q' = q + p) is factorised, by {@link batchedCholesky}. The posterior pieces are
 * `mu_X = c + K_Xn alpha`, `C_XX = K_XX - V_X^T V_X`, `C_XB = K_XB - V_X^T V_B`, `V = L^-1 K_n.`,
 * with `L^-1`, `alpha`, `V_B`, `L_B^-T` computed in float64 once and uploaded as float32.
 *
 * Shapes: `forward` maps `b x q x d` (user input space) to `b` values; one pass holds `b' q' x n`
 * cross-covariances and `b' q' x s` samples.
 *
 * Supported: a {@link SingleTaskGP} with a Matérn-5/2 or RBF kernel (bare or in a ScaleKernel) and
 * an affine (or no) outcome transform, without outcome constraints. Anything else throws
 * UnsupportedError from the constructor, so callers fall back to the float64 acquisition.
 *
 * Owns tensors: call {@link TfLogNoisyExpectedImprovement.dispose} when done (also on the
 * scorers made by {@link TfLogNoisyExpectedImprovement.withPending}, which share the model
 * constants: those are freed with the last scorer that uses them). It implements optimizeAcqf's
 * `RawScorer`.
 */
export class TfLogNoisyExpectedImprovement {
  readonly dim: number;
  /** Baseline points after pruning (e). */
  readonly baselineSize: number;
  private readonly tf: TfCore;
  private readonly model: SingleTaskGP;
  private readonly options: TfLogNoisyExpectedImprovementOptions;
  private readonly shared: SharedConstants;
  private readonly c: ScorerConstants;
  private readonly t: ConstantTensors;
  /** Per joint size q': the `s x (2 + e + q')` base-sample tensor (see `sampleConstants`). */
  private readonly sampleCache = new Map<number, Tensor2D>();
  private readonly numSamples: number;
  private readonly seed: number;
  private readonly sampler: 'sobol' | 'plain';
  private readonly sign: number;
  private readonly pending: Float64Array;
  private readonly tauRelu: number;
  private readonly tauMax: number;
  private readonly maxChunkElements: number;
  private disposed = false;

  /**
   * @param tf the TensorFlow.js core module, with its backend already chosen.
   * @param model a fitted model (see the class comment for what is supported).
   * @param shared internal: the constants of the scorer this one is derived from (`withPending`).
   * @throws UnsupportedError for an unsupported model, kernel, outcome transform or constraints.
   * @throws InputDataError / ShapeError for invalid options.
   */
  constructor(tf: TfCore, model: Model, options: TfLogNoisyExpectedImprovementOptions, shared?: SharedConstants) {
    if (!(model instanceof SingleTaskGP)) throw new UnsupportedError('the float32 scorer needs a SingleTaskGP; use the float64 acquisition');
    if ((options.constraints ?? []).length > 0) throw new UnsupportedError('the float32 scorer does not support outcome constraints; use the float64 acquisition');
    const d = model.dim;
    this.dim = d;
    this.numSamples = options.numSamples ?? 512;
    if (!Number.isInteger(this.numSamples) || this.numSamples < 1) throw new InputDataError(`numSamples must be a positive integer, got ${options.numSamples}`);
    this.seed = options.seed ?? 0;
    this.sampler = options.sampler ?? 'sobol';
    this.sign = options.maximize === false ? -1 : 1;
    this.pending = options.pending ?? new Float64Array(0);
    if (this.pending.length % d !== 0) throw new ShapeError(`pending has ${this.pending.length} values, not a multiple of d = ${d}`);
    if (options.baseline.length % d !== 0) throw new ShapeError(`baseline has ${options.baseline.length} values, not a multiple of d = ${d}`);
    if (options.baseline.length === 0) throw new UnsupportedError('the float32 scorer needs at least one baseline point');
    this.tauRelu = options.tauRelu ?? 1e-6;
    this.tauMax = options.tauMax ?? 1e-2;
    this.maxChunkElements = options.maxChunkElements ?? 4_194_304;
    if (!(this.maxChunkElements >= 1)) throw new InputDataError(`maxChunkElements must be at least 1, got ${options.maxChunkElements}`);
    this.tf = tf;
    this.model = model;
    this.options = options;
    if (shared) {
      shared.users++;
      this.shared = shared;
    } else {
      const baseline = options.pruneBaseline === false ? options.baseline.slice() : pruneInferiorPoints(model, options.baseline, this.sign, []);
      const c = scorerConstants(model, baseline);
      this.shared = { c, t: upload(tf, c), baseline, users: 1 };
    }
    this.c = this.shared.c;
    this.t = this.shared.t;
    this.baselineSize = this.c.e;
  }

  /**
   * This scorer with `points` added after its pending points: what `qLogNoisyExpectedImprovement`
   * with `pending = [pending, points]` would be. Shares the model constants (no new pruning or
   * float64 precomputation); dispose it as any scorer.
   *
   * @param points `k x d`, the user's input space.
   */
  withPending(points: Float64Array): TfLogNoisyExpectedImprovement {
    this.checkLive('withPending');
    if (points.length % this.dim !== 0) throw new ShapeError(`withPending: ${points.length} values, not a multiple of d = ${this.dim}`);
    const pending = new Float64Array(this.pending.length + points.length);
    pending.set(this.pending);
    pending.set(points, this.pending.length);
    return new TfLogNoisyExpectedImprovement(this.tf, this.model, { ...this.options, pending }, this.shared);
  }

  /**
   * Values at each t-batch.
   *
   * @param X `b x q x d`, the user's input space.
   * @returns length b.
   */
  forward(X: QBatch): Float64Array {
    const { b, q, d, p, qPrime, chunk } = this.plan(X, 'forward');
    const ctx = this.context(qPrime, false);
    const out = new Float64Array(b);
    for (let start = 0; start < b; start += chunk) {
      const bb = Math.min(chunk, b - start);
      const Z = this.joinAndScale(X.data.subarray(start * q * d, (start + bb) * q * d), bb, q, p);
      out.set(this.tf.tidy(() => logNeiPass(this.tf, ctx, this.tf.tensor2d(Z, [bb * qPrime, d]), bb, qPrime).dataSync()), start);
    }
    return out;
  }

  /**
   * Values and their gradients with respect to X, by TensorFlow.js autodiff (`tf.valueAndGrad`)
   * through the same float32 pass as {@link forward}. The gradient with respect to the scaled
   * model-space points is chained to the user's space by the diagonal `inverseLengthscale_j ·
   * (input transform Jacobian)_j`.
   *
   * @param X `b x q x d`, the user's input space.
   * @returns values: length b; gradient: `b x q x d`, `∂ value_t / ∂ X_t`.
   */
  forwardWithGradient(X: QBatch): { values: Float64Array; gradient: Float64Array } {
    const tf = this.tf;
    const { b, q, d, p, qPrime, chunk } = this.plan(X, 'forwardWithGradient');
    const ctx = this.context(qPrime, true);
    const inv = this.c.spec.inverseLengthscales;
    const jac = this.model.inputTransform ? this.model.inputTransform.jacobianDiagonal() : null;
    const chain = Float64Array.from({ length: d }, (_, j) => inv[j]! * (jac ? jac[j]! : 1));
    const values = new Float64Array(b);
    const gradient = new Float64Array(b * q * d);
    for (let start = 0; start < b; start += chunk) {
      const bb = Math.min(chunk, b - start);
      const Z = this.joinAndScale(X.data.subarray(start * q * d, (start + bb) * q * d), bb, q, p);
      const gz = tf.tidy(() => {
        let kept: Tensor1D | null = null;
        // Each value depends only on its own t-batch, so the gradient of the sum holds every
        // t-batch's gradient; the values themselves are kept out of the tape's scope.
        const { grad } = tf.valueAndGrad((Zt: Tensor2D) => {
          kept = tf.keep(logNeiPass(tf, ctx, Zt, bb, qPrime));
          return tf.sum(kept);
        })(tf.tensor2d(Z, [bb * qPrime, d]));
        const v = kept as Tensor1D | null;
        if (v) {
          values.set(v.dataSync(), start);
          v.dispose();
        }
        return grad.dataSync();
      });
      for (let t = 0; t < bb; t++) {
        for (let i = 0; i < q; i++) {
          const from = (t * qPrime + p + i) * d;
          const to = ((start + t) * q + i) * d;
          for (let j = 0; j < d; j++) gradient[to + j] = gz[from + j]! * chain[j]!;
        }
      }
    }
    return { values, gradient };
  }

  /** Frees the tensors this scorer holds (the shared model constants with the last user); `forward` throws afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const x of this.sampleCache.values()) x.dispose();
    this.sampleCache.clear();
    if (--this.shared.users === 0) for (const x of Object.values(this.shared.t)) x.dispose();
  }

  /** Checks X and sizes the passes: at most maxChunkElements per intermediate. */
  private plan(X: QBatch, what: string): { b: number; q: number; d: number; p: number; qPrime: number; chunk: number } {
    this.checkLive(what);
    const { b, q, d } = X;
    if (d !== this.dim) throw new ShapeError(`${what}: expected points with d = ${this.dim}, got d = ${d}`);
    if (q < 1) throw new ShapeError(`${what}: a q-batch needs at least one point`);
    if (X.data.length !== b * q * d) throw new ShapeError(`${what}: X has ${X.data.length} values, expected b * q * d = ${b * q * d}`);
    const p = this.pending.length / d;
    const qPrime = q + p;
    const widest = Math.max(this.c.n, this.numSamples, this.c.e);
    return { b, q, d, p, qPrime, chunk: Math.max(1, Math.floor(this.maxChunkElements / (qPrime * widest))) };
  }

  private checkLive(what: string): void {
    if (this.disposed) throw new InputDataError(`${what}: this scorer has been disposed`);
  }

  private context(qPrime: number, differentiable: boolean): PassContext {
    const { numSamples, sign, tauRelu, tauMax } = this;
    return { c: this.c, t: this.t, mixT: this.samplesFor(qPrime), numSamples, sign, tauRelu, tauMax, differentiable };
  }

  /** `b x q'` points per pass: the pending points then each t-batch's q points (the float64 order), scaled and centred. */
  private joinAndScale(data: Float64Array, b: number, q: number, p: number): Float32Array {
    const d = this.dim;
    const qPrime = q + p;
    let joined = data;
    if (p > 0) {
      joined = new Float64Array(b * qPrime * d);
      for (let t = 0; t < b; t++) {
        joined.set(this.pending, t * qPrime * d);
        joined.set(data.subarray(t * q * d, (t + 1) * q * d), (t * qPrime + p) * d);
      }
    }
    const Z = toModelSpace(this.model, joined, b * qPrime);
    return scaleAndCenter(Z.data, b * qPrime, d, this.c.spec.inverseLengthscales, this.c.center);
  }

  /** The base-sample tensors for joint size `e + q'`, built on first use and kept. */
  private samplesFor(qPrime: number): Tensor2D {
    const cached = this.sampleCache.get(qPrime);
    if (cached) return cached;
    const tf = this.tf;
    const s = this.numSamples;
    const { e } = this.c;
    const m = e + qPrime;
    const z = this.sampler === 'sobol' ? normalBaseSamples(s, m, this.seed) : plainMcNormalSamples(s, m, this.seed);
    const mixT = tf.keep(tf.tensor2d(sampleConstants(this.c, z, s, qPrime, this.sign).mixT, [s, 2 + e + qPrime]));
    this.sampleCache.set(qPrime, mixT);
    return mixT;
  }
}

/** Uploads the float32 constants (kept: they outlive any tidy scope until disposed). */
function upload(tf: TfCore, c: ScorerConstants): ConstantTensors {
  const { n, e, d } = c;
  const norms = (Z: Float32Array, rows: number): Float32Array => {
    const out = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let acc = 0;
      for (let j = 0; j < d; j++) acc += Z[i * d + j]! ** 2;
      out[i] = acc;
    }
    return out;
  };
  const keep = <T extends Tensor2D>(x: T): T => tf.keep(x);
  // Right-hand operands are stored transposed: the wasm backend's matmul is much slower with transposeB.
  return {
    trainZT: keep(tf.tensor2d(transposed(c.trainZ, n, d), [d, n])),
    trainNorms: keep(tf.tensor2d(norms(c.trainZ, n), [1, n])),
    alpha: keep(tf.tensor2d(c.alpha, [n, 1])),
    lInverseT: keep(tf.tensor2d(transposed(c.lInverse, n, n), [n, n])),
    baselineZT: keep(tf.tensor2d(transposed(c.baselineZ, e, d), [d, e])),
    baselineNorms: keep(tf.tensor2d(norms(c.baselineZ, e), [1, e])),
    baselineV: keep(tf.tensor2d(c.baselineV, [n, e])),
    baselineFactorInverseT: keep(tf.tensor2d(c.baselineFactorInverseT, [e, e])),
  };
}

/** The transpose of a row-major `rows x cols` matrix. */
function transposed(A: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = A[i * cols + j]!;
  return out;
}
