import { InputDataError, ShapeError, UnsupportedError } from '../../errors/errors.js';
import type { Model } from '../../models/model.js';
import { SingleTaskGP } from '../../models/single-task-gp.js';
import type { QBatch } from '../../posteriors/posterior.js';
import { normalBaseSamples, plainMcNormalSamples } from '../../sampling/qmc-normal.js';
import { pruneInferiorPoints } from '../monte-carlo/prune-baseline.js';
import type { LogImprovementOptions } from '../monte-carlo/q-log-expected-improvement.js';
import type { NoisyImprovementOptions } from '../monte-carlo/q-noisy-expected-improvement.js';
import { batchedCholesky } from './tf-cholesky.js';
import type { Tensor1D, Tensor2D, Tensor3D, TfCore } from './tf-core.js';
import { blockCovariance, crossCovariance } from './tf-kernel.js';
import { sampleConstants, scaleAndCenter, scorerConstants, toModelSpace, type SampleConstants, type ScorerConstants } from './tf-log-nei-constants.js';
import { fatmax, logFatplusScaled, logMeanExp } from './tf-smooth-math.js';

/** Options of {@link TfLogNoisyExpectedImprovement}: those of `qLogNoisyExpectedImprovement`, plus chunking. */
export interface TfLogNoisyExpectedImprovementOptions extends NoisyImprovementOptions, LogImprovementOptions {
  /**
   * Upper bound on the elements of the largest intermediate tensor of one pass
   * (`b' q' x max(n, s, e)`); a `b x q x d` batch is scored in passes of `b'` t-batches.
   * @defaultValue 4_194_304 (16 MiB of float32)
   */
  maxChunkElements?: number;
}

interface ConstantTensors {
  trainZT: Tensor2D; // d x n
  trainNorms: Tensor2D; // 1 x n
  alpha: Tensor2D; // n x 1
  lInverseT: Tensor2D; // n x n
  baselineZT: Tensor2D; // d x e
  baselineNorms: Tensor2D; // 1 x e
  baselineV: Tensor2D; // n x e
  baselineFactorInverseT: Tensor2D; // e x e
}

interface SampleTensors {
  /** `s x (2 + e + q')`: per sample `[1, -sign incumbent, z_B, z_X]`. */
  mixT: Tensor2D;
}

/**
 * qLogNoisyExpectedImprovement values in float32 with TensorFlow.js, for scoring many raw
 * candidate batches at once (values only — no gradient). Same definition, base samples and
 * temperatures as the float64 `qLogNoisyExpectedImprovement`:
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
 * Owns tensors: call {@link TfLogNoisyExpectedImprovement.dispose} when done.
 */
export class TfLogNoisyExpectedImprovement {
  readonly dim: number;
  /** Baseline points after pruning (e). */
  readonly baselineSize: number;
  private readonly tf: TfCore;
  private readonly model: SingleTaskGP;
  private readonly c: ScorerConstants;
  private readonly t: ConstantTensors;
  private readonly sampleCache = new Map<number, SampleTensors>();
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
   * @throws UnsupportedError for an unsupported model, kernel, outcome transform or constraints.
   * @throws InputDataError / ShapeError for invalid options.
   */
  constructor(tf: TfCore, model: Model, options: TfLogNoisyExpectedImprovementOptions) {
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
    const baseline = options.pruneBaseline === false ? options.baseline.slice() : pruneInferiorPoints(model, options.baseline, this.sign, []);
    this.tf = tf;
    this.model = model;
    this.c = scorerConstants(model, baseline);
    this.baselineSize = this.c.e;
    this.t = this.upload();
  }

  /**
   * Values at each t-batch.
   *
   * @param X `b x q x d`, the user's input space.
   * @returns length b.
   */
  forward(X: QBatch): Float64Array {
    if (this.disposed) throw new InputDataError('forward: this scorer has been disposed');
    const { b, q, d } = X;
    if (d !== this.dim) throw new ShapeError(`forward: expected points with d = ${this.dim}, got d = ${d}`);
    if (q < 1) throw new ShapeError('forward: a q-batch needs at least one point');
    if (X.data.length !== b * q * d) throw new ShapeError(`forward: X has ${X.data.length} values, expected b * q * d = ${b * q * d}`);
    const p = this.pending.length / d;
    const qPrime = q + p;
    const samples = this.samplesFor(qPrime);
    const widest = Math.max(this.c.n, this.numSamples, this.c.e);
    const chunk = Math.max(1, Math.floor(this.maxChunkElements / (qPrime * widest)));
    const out = new Float64Array(b);
    for (let start = 0; start < b; start += chunk) {
      const bb = Math.min(chunk, b - start);
      const Z = this.joinAndScale(X.data.subarray(start * q * d, (start + bb) * q * d), bb, q, p);
      out.set(this.tf.tidy(() => this.pass(Z, bb, qPrime, samples).dataSync()), start);
    }
    return out;
  }

  /** Frees every tensor this scorer holds; `forward` throws afterwards. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const x of Object.values(this.t)) x.dispose();
    for (const s of this.sampleCache.values()) for (const x of Object.values(s)) x.dispose();
    this.sampleCache.clear();
  }

  /** One pass over `b` t-batches: `b q' x d` scaled points → `b` values. */
  private pass(Zdata: Float32Array, b: number, qPrime: number, S: SampleTensors): Tensor1D {
    const tf = this.tf;
    const { spec, n, e, d, meanConstant, jitter, outcomeScale } = this.c;
    const t = this.t;
    const s = this.numSamples;
    const Z = tf.tensor2d(Zdata, [b * qPrime, d]);
    const Kxn = crossCovariance(tf, spec, Z, t.trainZT, t.trainNorms); // bq' x n
    const mu = tf.add(tf.matMul(Kxn, t.alpha), meanConstant); // bq' x 1
    const VxT = tf.matMul(Kxn, t.lInverseT); // bq' x n  (= (L^-1 K_nX)^T)
    const Vx3 = tf.reshape(VxT, [b, qPrime, n]) as Tensor3D;
    const Cxx = tf.sub(blockCovariance(tf, spec, tf.reshape(Z, [b, qPrime, d]) as Tensor3D), tf.matMul(Vx3, Vx3, false, true)); // b x q' x q'
    const Cxb = tf.sub(crossCovariance(tf, spec, Z, t.baselineZT, t.baselineNorms), tf.matMul(VxT, t.baselineV)); // bq' x e
    const A = tf.matMul(Cxb, t.baselineFactorInverseT); // bq' x e
    const A3 = tf.reshape(A, [b, qPrime, e]) as Tensor3D;
    let cond = tf.sub(Cxx, tf.matMul(A3, A3, false, true)) as Tensor3D;
    if (jitter > 0) cond = tf.add(cond, tf.mul(tf.eye(qPrime), jitter)) as Tensor3D;
    const Lc = tf.reshape(batchedCholesky(tf, cond), [b * qPrime, qPrime]); // bq' x q'
    // t = (f - sign incumbent) * sign * outcomeScale / tauRelu, the improvement over tauRelu, for
    // every sample as one matmul: f = mu + A z_B + L_c z_X, the incumbent term through a column
    // of ones. Samples-major, `s x b x q'`, so that the reductions over q' run along the last axis.
    const cp = (this.sign * outcomeScale) / this.tauRelu;
    const left = tf.mul(tf.concat([mu, tf.ones([b * qPrime, 1]), A, Lc], 1), cp); // bq' x (2 + e + q')
    const t3 = tf.reshape(tf.matMul(S.mixT, tf.transpose(left)), [s, b, qPrime]);
    const perSample = fatmax(tf, logFatplusScaled(tf, t3), 2, this.tauMax); // s x b
    return tf.add(logMeanExp(tf, perSample, 0), Math.log(this.tauRelu)) as Tensor1D;
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

  private upload(): ConstantTensors {
    const tf = this.tf;
    const { n, e, d } = this.c;
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
      trainZT: keep(tf.tensor2d(transposed(this.c.trainZ, n, d), [d, n])),
      trainNorms: keep(tf.tensor2d(norms(this.c.trainZ, n), [1, n])),
      alpha: keep(tf.tensor2d(this.c.alpha, [n, 1])),
      lInverseT: keep(tf.tensor2d(transposed(this.c.lInverse, n, n), [n, n])),
      baselineZT: keep(tf.tensor2d(transposed(this.c.baselineZ, e, d), [d, e])),
      baselineNorms: keep(tf.tensor2d(norms(this.c.baselineZ, e), [1, e])),
      baselineV: keep(tf.tensor2d(this.c.baselineV, [n, e])),
      baselineFactorInverseT: keep(tf.tensor2d(this.c.baselineFactorInverseT, [e, e])),
    };
  }

  /** The base-sample tensors for joint size `e + q'`, built on first use and kept. */
  private samplesFor(qPrime: number): SampleTensors {
    const cached = this.sampleCache.get(qPrime);
    if (cached) return cached;
    const tf = this.tf;
    const s = this.numSamples;
    const { e } = this.c;
    const m = e + qPrime;
    const z = this.sampler === 'sobol' ? normalBaseSamples(s, m, this.seed) : plainMcNormalSamples(s, m, this.seed);
    const k: SampleConstants = sampleConstants(this.c, z, s, qPrime, this.sign);
    const tensors: SampleTensors = { mixT: tf.keep(tf.tensor2d(k.mixT, [s, 2 + e + qPrime])) };
    this.sampleCache.set(qPrime, tensors);
    return tensors;
  }
}

/** The transpose of a row-major `rows x cols` matrix. */
function transposed(A: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = A[i * cols + j]!;
  return out;
}
